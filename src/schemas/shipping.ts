import { z } from "@hono/zod-openapi";

const Country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, "an ISO 3166-1 alpha-2 country code")
  .transform((c) => c.toUpperCase())
  .openapi({ example: "US" });

const RateInput = z.strictObject({
  name: z.string().trim().min(1).max(80),
  kind: z.enum(["flat", "per_item", "free_over", "weight"]).openapi({
    description:
      "flat: per order; per_item: per unit; free_over: `amount` below `threshold`, free from it; weight: by `bands` of the parcel's weight",
  }),
  amount: z.number().int("money is an integer in minor units (cents)").min(0).max(10_000_000),
  threshold: z
    .number()
    .int()
    .min(0)
    .max(10_000_000_000)
    .optional()
    .openapi({ description: "free_over: the seller's subtotal from which it is free" }),
  min_days: z.number().int().min(0).max(365),
  max_days: z.number().int().min(0).max(365),
  bands: z
    .array(
      z.strictObject({
        up_to_grams: z.number().int().min(1).max(10_000_000),
        amount: z.number().int().min(0).max(10_000_000),
      }),
    )
    .min(1)
    .max(20)
    .optional()
    .openapi({
      description:
        "weight: the price of a parcel up to each weight, ascending; heavier than the last band is not offered",
    }),
});

export const ZoneInput = z.strictObject({
  name: z.string().trim().min(1).max(80),
  countries: z.array(Country).min(1).max(250),
  regions: z
    .array(z.string().trim().min(1).max(10))
    .max(100)
    .optional()
    .openapi({ description: "Narrows the zone to these regions (ISO 3166-2 subdivision, e.g. CA)" }),
  postal_prefixes: z
    .array(z.string().trim().min(1).max(10))
    .max(100)
    .optional()
    .openapi({ description: "Narrows the zone to postal codes starting so" }),
  rates: z.array(RateInput).min(1).max(10),
});

export const ShippingProfileBody = z
  .strictObject({ zones: z.array(ZoneInput).max(50) })
  .superRefine((b, ctx) => {
    b.zones.forEach((zone, zi) =>
      zone.rates.forEach((r, ri) => {
        if (r.kind === "free_over" && r.threshold === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["zones", zi, "rates", ri, "threshold"],
            message: "free_over needs a threshold",
          });
        if (r.kind === "weight" && !r.bands)
          ctx.addIssue({
            code: "custom",
            path: ["zones", zi, "rates", ri, "bands"],
            message: "a weight rate needs bands",
          });
        if (r.bands?.some((b, i) => i > 0 && b.up_to_grams <= r.bands![i - 1].up_to_grams)) {
          ctx.addIssue({
            code: "custom",
            path: ["zones", zi, "rates", ri, "bands"],
            message: "bands ascend by up_to_grams",
          });
        }
        if (r.max_days < r.min_days)
          ctx.addIssue({
            code: "custom",
            path: ["zones", zi, "rates", ri, "max_days"],
            message: "max_days is below min_days",
          });
      }),
    );
  })
  .openapi("ShippingProfileRequest");

/** A zone as stored: each rate has a stable `option_id` (until the profile is replaced). */
export type Zone = Omit<z.output<typeof ZoneInput>, "rates"> & {
  rates: (z.output<typeof RateInput> & { option_id: string })[];
};

export const ShippingProfileSchema = z
  .object({
    seller_id: z.string(),
    zones: z.array(
      ZoneInput.extend({ countries: z.array(z.string()), rates: z.array(RateInput.extend({ option_id: z.string() })) }),
    ),
    updated_at: z.string().nullable(),
  })
  .openapi("ShippingProfile");

export const AddressBody = z
  .strictObject({
    address: z.strictObject({
      name: z.string().trim().min(1).max(200),
      line1: z.string().trim().min(1).max(200),
      line2: z.string().trim().max(200).optional(),
      city: z.string().trim().min(1).max(100),
      postal_code: z.string().trim().min(1).max(20),
      country: Country,
      region: z.string().trim().min(1).max(10).optional(),
    }),
  })
  .openapi("CartShippingAddressRequest");
export type Address = z.output<typeof AddressBody>["address"];

export const ShippingOptionBody = z
  .strictObject({
    seller_id: z.string().regex(/^usr_[0-9A-Za-z]+$/, "must be a usr_ id"),
    option_id: z.string().min(1).max(64),
  })
  .openapi("CartShippingOptionRequest");
