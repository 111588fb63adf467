/** The commerce schemas (API.md's cart, coupons, orders and payments), one file each, reached from here. */
export * from "./cart";
export * from "./coupons";
export * from "./orders";
export * from "./payments";
