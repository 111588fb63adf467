import { z } from "@hono/zod-openapi";
import { VariantId, VariantInput, VariantSchema } from "./attributes";
import { AuctionInput } from "./auctions";
import { TAX_CLASSES } from "../lib/tax-classes";
import { BASE_CURRENCY, MINOR_UNITS } from "../lib/currency";

const OTHER_CURRENCIES = Object.keys(MINOR_UNITS).filter((c) => c !== BASE_CURRENCY) as [string, ...string[]];

const TaxClassInput = z.enum(TAX_CLASSES).nullable().optional().openapi({
  description:
    "Taxed at a jurisdiction's reduced or zero rate for this class where it has one (inherited by subcategories); null: inherit",
});

/** One currency for now: a cart and an order are single-currency, and every price in the seed is USD. */
const Currency = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(["usd"], { message: "currency must be usd (the only currency this store settles in)" }))
  .openapi({ example: "usd" });

const Id = (prefix: string) =>
  z
    .string()
    .max(64)
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]+$`), `must be a ${prefix}_ id`)
    .openapi({ example: `${prefix}_01JD0000000000000000000000` });

export const CategoryId = Id("cat");
export const ProductId = Id("prd");
export const UserId = Id("usr");

/** Minor units: an integer number of cents, 1 cent to $100M. */
export const Money = z
  .number()
  .int("money is an integer in minor units (cents)")
  .min(0)
  .max(10_000_000_000)
  .openapi({ example: 1999 });

export const CategorySchema = z
  .object({
    category_id: z.string(),
    name: z.string(),
    parent_id: z.string().nullable(),
    depth: z.number().int(),
    tax_class: z
      .enum(TAX_CLASSES)
      .nullable()
      .openapi({ description: "Its own tax class (null: its parent's, else the standard rate)" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Category");

export type CategoryNode = z.infer<typeof CategorySchema> & { children: CategoryNode[] };
/** Recursive: each node's `children` are nodes of the same shape. */
export const CategoryTreeNode: z.ZodType<CategoryNode> = CategorySchema.extend({
  get children() {
    return z.array(CategoryTreeNode);
  },
}).openapi("CategoryTreeNode");

export const CreateCategoryBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    parent_id: CategoryId.nullable().optional(),
    tax_class: TaxClassInput,
  })
  .openapi("CreateCategoryRequest");

export const UpdateCategoryBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    parent_id: CategoryId.nullable().optional(),
    tax_class: TaxClassInput,
  })
  .openapi("UpdateCategoryRequest");

const Attributes = z
  .record(
    z.string().min(1).max(64),
    z.union([
      z.string().max(1000),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.union([z.string().max(200), z.number()])).max(100),
    ]),
  )
  .refine((a) => Object.keys(a).length <= 50, "at most 50 attributes")
  .openapi({ description: "Free-form facts: colour, sizes, specs", example: { colour: "Red", sizes: ["S", "M"] } });

/** Image URLs are shown on the storefront: https only (no javascript:, data:, or plain http). */
const Images = z.array(z.url({ protocol: /^https$/, error: "Image URLs must be https" }).max(2048)).max(20);

const productFields = {
  name: z.string().trim().min(1).max(300),
  description: z.string().max(10_000),
  price: Money,
  list_price: Money.nullable().optional().openapi({ description: "Reference price; price below it means on sale" }),
  currency: Currency.optional(),
  category_id: CategoryId,
  stock_available: z.number().int().min(0).max(1_000_000),
  brand: z.string().trim().max(100).nullable().optional(),
  images: Images.optional(),
  attributes: Attributes.optional(),
  prices: z
    .partialRecord(
      z.enum(OTHER_CURRENCIES),
      z.number().int("money is an integer in the currency's minor units").min(0).max(10_000_000_000),
    )
    .optional()
    .openapi({
      description:
        "Prices set in other currencies, in their minor units (JPY has none): a cart in one of them is charged this instead of a conversion",
      example: { eur: 1899, jpy: 3000 },
    }),
};

export const CreateProductBody = z
  .strictObject({
    ...productFields,
    stock_available: productFields.stock_available
      .optional()
      .openapi({ description: "Required without variants; with variants, each holds its own" }),
    variants: z
      .array(VariantInput)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Sizes, colours…: each sold and stocked on its own. Without: one default variant" }),
    price: productFields.price
      .optional()
      .openapi({ description: "Required, except for an auction (whose price starts at `auction.start_price`)" }),
    auction: AuctionInput.optional().openapi({
      description: "Sell to the highest bidder instead (one variant, `stock_available` 1)",
    }),
  })
  .refine((b) => b.price !== undefined || b.auction !== undefined, { message: "price is required", path: ["price"] })
  .openapi("CreateProductRequest");

/** Every product field but `seller_id` and `product_id` (a strict schema turns those into 400s). */
export const UpdateProductBody = z
  .strictObject({
    name: productFields.name.optional(),
    description: productFields.description.optional(),
    price: productFields.price.optional(),
    list_price: productFields.list_price,
    currency: productFields.currency,
    category_id: productFields.category_id.optional(),
    stock_available: productFields.stock_available.optional(),
    brand: productFields.brand,
    images: productFields.images,
    attributes: productFields.attributes,
    prices: productFields.prices,
    status: z.enum(["active", "archived"]).optional(),
  })
  .openapi("UpdateProductRequest");

export const ProductSchema = z
  .object({
    product_id: z.string(),
    seller_id: z.string(),
    category_id: z.string(),
    name: z.string(),
    description: z.string(),
    price: z.number().int(),
    list_price: z.number().int().nullable(),
    currency: z.string(),
    prices: z
      .record(z.string(), z.number().int())
      .openapi({ description: "Prices set in other currencies (minor units)" }),
    stock_available: z.number().int(),
    brand: z.string().nullable(),
    images: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    variants: z.array(VariantSchema).openapi({
      description: "At least one; a product made without variants has one default variant with empty options",
    }),
    status: z.enum(["active", "archived"]),
    listing: z
      .enum(["fixed", "auction"])
      .openapi({ description: "`auction`: bid with POST /auctions/{product_id}/bids; it cannot be added to a cart" }),
    rating_average: z.number(),
    rating_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Product");

export type Product = z.infer<typeof ProductSchema>;

export const ProductListQuery = z.object({
  category_id: CategoryId.optional().openapi({ description: "Includes every subcategory" }),
  seller_id: UserId.optional(),
});

export const ProductIdParam = z.object({
  product_id: ProductId.openapi({ param: { name: "product_id", in: "path" } }),
});
export const CategoryIdParam = z.object({
  category_id: CategoryId.openapi({ param: { name: "category_id", in: "path" } }),
});

export const InventoryAdjustBody = z
  .strictObject({
    quantity: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((n) => n !== 0, "quantity must not be 0")
      .openapi({ description: "Units to add; negative removes (never below what checkouts hold)", example: 25 }),
    variant_id: VariantId.optional().openapi({ description: "Required when the product has several variants" }),
  })
  .openapi("InventoryAdjustRequest");

export const VariantQuery = z.object({
  variant_id: VariantId.optional().openapi({ description: "Required when the product has several variants" }),
});

export const StockSchema = z
  .object({
    product_id: z.string(),
    variant_id: z.string(),
    stock_available: z.number().int().openapi({ description: "The variant's" }),
    reserved: z.number().int(),
  })
  .openapi("Stock");

export const BucketsBody = z
  .strictObject({
    buckets: z.number().int().min(1).max(64).openapi({
      description: "Bucket objects to spread this product's reservations over (1: one inventory object)",
      example: 8,
    }),
    variant_id: VariantId.optional(),
  })
  .openapi("InventoryBuckets");

export const BucketsSchema = StockSchema.extend({ buckets: z.number().int() }).openapi("StockBuckets");

export const HoldBody = z
  .strictObject({
    quantity: z.number().int().min(1).max(10_000),
    ttl_seconds: z.number().int().min(1).max(3600).default(900),
    reservation_id: z
      .string()
      .regex(/^[A-Za-z0-9_:-]{1,80}$/)
      .optional()
      .openapi({ description: "Your id for the hold; a retry with the same id holds once" }),
    variant_id: VariantId.optional(),
  })
  .openapi("HoldRequest");

export const HoldSchema = z
  .object({
    reservation_id: z.string(),
    product_id: z.string(),
    variant_id: z.string(),
    quantity: z.number().int(),
    state: z.enum(["held", "committed", "released", "expired"]),
    expires_at: z.string(),
    stock_available: z.number().int(),
    reserved: z.number().int(),
  })
  .openapi("Hold");

export const HoldParams = ProductIdParam.extend({
  reservation_id: z
    .string()
    .regex(/^[A-Za-z0-9_:-]{1,80}$/)
    .openapi({ param: { name: "reservation_id", in: "path" } }),
});
