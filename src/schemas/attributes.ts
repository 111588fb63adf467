import { z } from "@hono/zod-openapi";

/** Attribute names are query parameters in search (`?size=M`): lower-case words joined by `_`. */
const AttributeName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_]*$/, "an attribute name is lower-case letters, digits and _ (it is a search parameter)")
  .openapi({ example: "size" });

const OptionValue = z.string().trim().min(1).max(60);

export const AttributeSchema = z
  .object({
    attribute_id: z.string(),
    category_id: z.string(),
    name: z.string(),
    type: z.enum(["enum", "number", "text", "boolean"]),
    values: z.array(z.string()),
    unit: z.string().nullable(),
    required: z.boolean(),
    variant_option: z.boolean(),
    facet: z.boolean(),
    created_at: z.string(),
  })
  .openapi("Attribute");
export type Attribute = z.infer<typeof AttributeSchema>;

export const CreateAttributeBody = z
  .strictObject({
    name: AttributeName,
    type: z.enum(["enum", "number", "text", "boolean"]),
    values: z
      .array(OptionValue)
      .max(200)
      .optional()
      .openapi({ description: "The allowed values (enum)", example: ["S", "M", "L"] }),
    unit: z.string().trim().min(1).max(20).optional().openapi({ description: "The unit (number)", example: "GB" }),
    required: z.boolean().optional(),
    variant_option: z.boolean().optional().openapi({ description: "Chosen per variant (size), not per product" }),
    facet: z.boolean().optional().openapi({ description: "Search offers it as a facet and a filter (`?size=M`)" }),
  })
  .openapi("CreateAttributeRequest");
export type CreateAttributeInput = z.infer<typeof CreateAttributeBody>;

const VariantOptions = z
  .record(AttributeName, OptionValue)
  .refine((o) => Object.keys(o).length <= 5, "at most 5 options a variant")
  .openapi({ example: { size: "M" } });

const Sku = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._\-/]+$/, "a SKU is letters, digits and . _ - /");
const VariantPrice = z.number().int("money is an integer in minor units (cents)").min(0).max(10_000_000_000);

export const VariantInput = z.strictObject({
  sku: Sku.optional(),
  options: VariantOptions,
  price: VariantPrice.optional().openapi({ description: "Overrides the product's price" }),
  stock_available: z.number().int().min(0).max(1_000_000),
  weight_grams: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .openapi({ description: "Shipping weight of one unit, for weight-band rates" }),
});
export type VariantInputT = z.infer<typeof VariantInput>;

export const CreateVariantBody = VariantInput.openapi("CreateVariantRequest");
export const UpdateVariantBody = z
  .strictObject({
    sku: Sku.nullable().optional(),
    price: VariantPrice.nullable().optional().openapi({ description: "null: back to the product's price" }),
    weight_grams: z.number().int().min(0).max(1_000_000).nullable().optional(),
  })
  .openapi("UpdateVariantRequest");

export const VariantSchema = z
  .object({
    variant_id: z.string(),
    product_id: z.string(),
    sku: z.string().nullable(),
    options: z.record(z.string(), z.string()),
    price: z.number().int().openapi({ description: "What this variant sells for: its own price, or the product's" }),
    price_override: z.number().int().nullable(),
    stock_available: z.number().int(),
    weight_grams: z.number().int().nullable(),
  })
  .openapi("Variant");
export type Variant = z.infer<typeof VariantSchema>;

export const VariantId = z
  .string()
  .max(64)
  .regex(/^var_[0-9A-Za-z]+$/, "must be a var_ id")
  .openapi({ example: "var_01JD0000000000000000000000" });
