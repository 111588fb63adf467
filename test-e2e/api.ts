// The e2e walk's calls to the API, through a client typed by the committed OpenAPI document
// (openapi/schema.d.ts, from `npm run openapi`). `npm run typecheck` checks this file, so a route,
// a body or a response the document no longer has fails the build, not the walk.
// Node runs this file as is (type stripping), so it uses no TypeScript-only runtime syntax.
import createClient from "openapi-fetch";
import type { paths } from "../openapi/schema";

export function apiClient(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** The body of a 2xx answer, or an error naming the call and what the server said. */
  const ok = <T>(what: string, r: { data?: T; error?: unknown; response: Response }): T => {
    if (r.data === undefined) throw new Error(`${what}: ${r.response.status} ${JSON.stringify(r.error)}`);
    return r.data;
  };
  return {
    product: async (productId: string) =>
      ok(
        "GET /products/{id}",
        await client.GET("/products/{product_id}", { params: { path: { product_id: productId } } }),
      ),
    user: async (userId: string) =>
      ok("GET /users/{id}", await client.GET("/users/{user_id}", { params: { path: { user_id: userId } } })),
    login: async (email: string, password: string) =>
      ok("POST /auth/login", await client.POST("/auth/login", { body: { email, password } })),
    signup: async (email: string, username: string, password: string) =>
      ok("POST /auth/signup", await client.POST("/auth/signup", { body: { email, username, password } })),
    listAuction: async (
      token: string,
      lot: {
        name: string;
        description: string;
        category_id: string;
        start_price: number;
        buy_now_price: number;
        ends_at: string;
      },
    ) =>
      ok(
        "POST /products (auction)",
        await client.POST("/products", {
          headers: bearer(token),
          body: {
            name: lot.name,
            description: lot.description,
            category_id: lot.category_id,
            auction: { start_price: lot.start_price, buy_now_price: lot.buy_now_price, ends_at: lot.ends_at },
          },
        }),
      ),
    reportReview: async (
      token: string,
      reviewId: string,
      reason: "spam" | "offensive" | "off_topic" | "fake" | "other",
    ) =>
      ok(
        "POST /reviews/{id}/report",
        await client.POST("/reviews/{review_id}/report", {
          headers: bearer(token),
          params: { path: { review_id: reviewId } },
          body: { reason },
        }),
      ),
    reviews: async (productId: string) =>
      ok("GET /reviews", await client.GET("/reviews", { params: { query: { product_id: productId } } })),
    bid: async (token: string, productId: string, maxAmount: number) =>
      ok(
        "POST /auctions/{id}/bids",
        await client.POST("/auctions/{product_id}/bids", {
          headers: bearer(token),
          params: { path: { product_id: productId } },
          body: { max_amount: maxAmount },
        }),
      ),
  };
}
