/**
 * Tax classes: what a category may be taxed as where a jurisdiction has a reduced or zero rate
 * for it (books, food, children's clothing). A category's class is inherited by its subcategories;
 * no class, or no rate for the class where the parcel goes, means the standard rate.
 */
export const TAX_CLASSES = ["books", "food", "children_clothing"] as const;
export type TaxClass = (typeof TAX_CLASSES)[number];
