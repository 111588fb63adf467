import { ApiError } from "../lib/errors";
import type { AuthContext } from "../types";
import { eraseUserFromWarehouse } from "./analytics";
import { audit } from "./audit";
import { revokeAllSessions } from "./auth";
import { cartStub } from "./cart";
import { eraseNotificationsOf, notificationsOf } from "./notifications";
import { allOrdersOf, erasePersonalDataInOrders } from "./orders";
import { paymentProvider } from "./payments";
import { listRefunds } from "./payments";
import { verifyPassword } from "./passwords";
import { eraseReviewsBy, reviewsBy } from "./reviews";
import { eraseReportsBy } from "./review-moderation";
import { findUserById, scrubUser, toUser } from "./users";
import { eraseSavedMethods, walletOf } from "./wallet";
import { eraseWishlistOf, wishlistOf } from "./wishlist";

/**
 * The data-protection rights the design asks to comply with, composed from each domain's own
 * export and erase steps (no domain's tables are touched from here).
 *
 * Export: everything the platform holds about a person, as one JSON document.
 * Erasure: personal fields are scrubbed or anonymised in every domain and the warehouse;
 * orders, refunds and the credit ledger stay for accounting, without the personal data; sessions
 * end; saved payment methods are detached at the provider. Each step is idempotent, so an erasure
 * that failed half-way is simply run again.
 */
export async function exportUserData(env: Env, userId: string) {
  const user = await findUserById(env, userId);
  if (!user) throw new ApiError("not_found", "User not found");
  const orders = await allOrdersOf(env, userId);
  const addresses = [...new Map(orders.map((o) => [JSON.stringify(o.shipping_address), o.shipping_address])).values()];
  const refunds = await listRefunds(env, userId, 100);
  return {
    exported_at: new Date().toISOString(),
    profile: toUser(user),
    addresses,
    orders,
    refunds: refunds.data,
    reviews: await reviewsBy(env, userId),
    ...(await notificationsOf(env, userId)),
    wishlist: await wishlistOf(env, userId),
    wallet: await walletOf(env, userId),
  };
}

export async function eraseUser(env: Env, actor: AuthContext, userId: string, password?: string) {
  const user = await findUserById(env, userId);
  if (!user) throw new ApiError("not_found", "User not found");
  if (actor.role !== "admin") {
    // The holder of a stolen access token must not be able to erase the account: the password is asked again.
    if (!password || !(await verifyPassword(password, user.passwordHash)))
      throw new ApiError("invalid_credentials", "The password is incorrect");
  }
  await revokeAllSessions(env, userId);
  const detached = await eraseSavedMethods(env, userId, (ref) => paymentProvider(env).detach(ref));
  await cartStub(env, { userId }).clear();
  await eraseWishlistOf(env, userId);
  await eraseNotificationsOf(env, userId);
  const reviews = await eraseReviewsBy(env, userId);
  await eraseReportsBy(env, userId);
  const orders = await erasePersonalDataInOrders(env, userId);
  await eraseUserFromWarehouse(env, userId);
  await scrubUser(env, userId);
  if (actor.role === "admin" && actor.userId !== userId) {
    await audit(env, {
      actorId: actor.userId,
      action: "user.erased",
      targetType: "user",
      targetId: userId,
      details: { orders, reviews, payment_methods: detached },
    });
  }
  return {
    user_id: userId,
    erased: true as const,
    orders_kept_without_personal_data: orders,
    reviews_removed: reviews,
    payment_methods_detached: detached,
  };
}
