import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { deliverMany, notify } from "../src/services/notifications";
import {
  HttpEmailProvider,
  HttpSmsProvider,
  overrideChannelProvider,
  PermanentSendError,
} from "../src/services/notifications/channels";
import { ResendDouble, TwilioDouble } from "./channel-doubles";
import { signup } from "./helpers";

const base = "http://127.0.0.1:9"; // never dialled: the doubles answer in-process
const msg = (to: string, id = `ntf_${Date.now()}`) => ({
  channel: "email" as const,
  to,
  subject: "Hello",
  body: "Body",
  notificationId: id,
});

describe("Resend adapter against a wire-format double", () => {
  it("sends JSON with the bearer key and the notification id as Idempotency-Key", async () => {
    const d = new ResendDouble();
    await new HttpEmailProvider("re_double", "Shop <shop@shop-example.com>", base, d.fetch).send(
      msg("ada@example.com", "ntf_1"),
    );
    expect(d.sent).toEqual([
      { from: "Shop <shop@shop-example.com>", to: ["ada@example.com"], subject: "Hello", text: "Body", key: "ntf_1" },
    ]);
  });
  it("treats a 4xx as permanent and a 5xx as retryable", async () => {
    const d = new ResendDouble();
    await expect(
      new HttpEmailProvider("re_wrong", "s@shop-example.com", base, d.fetch).send(msg("ada@example.com")),
    ).rejects.toBeInstanceOf(PermanentSendError);
    await expect(
      new HttpEmailProvider("re_double", "s@shop-example.com", base, d.fetch).send(msg("not-an-address")),
    ).rejects.toThrow(/422.*validation_error/);
    d.failNext = 1;
    const err = await new HttpEmailProvider("re_double", "s@shop-example.com", base, d.fetch)
      .send(msg("ada@example.com"))
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});

describe("Twilio adapter against a wire-format double", () => {
  it("posts the form with basic auth to the account's Messages resource", async () => {
    const d = new TwilioDouble();
    await new HttpSmsProvider(d.sid, d.token, "+15550100000", base, d.fetch).send({
      ...msg("+14155550123"),
      channel: "sms",
    });
    expect(d.sent).toEqual([{ To: "+14155550123", From: "+15550100000", Body: "Hello: Body" }]);
  });
  it("retries a 429, gives up at once on an invalid number", async () => {
    const d = new TwilioDouble();
    d.rateLimitNext = 1;
    const p = new HttpSmsProvider(d.sid, d.token, "+15550100000", base, d.fetch);
    const limited = await p.send({ ...msg("+14155550123"), channel: "sms" }).catch((e) => e);
    expect(limited).not.toBeInstanceOf(PermanentSendError);
    await expect(p.send({ ...msg("12"), channel: "sms" })).rejects.toBeInstanceOf(PermanentSendError);
  });
});

describe("delivery through a real adapter", () => {
  afterEach(() => overrideChannelProvider(null));

  it("marks a sent email sent, fails a refused one on its first attempt, and retries a 5xx", async () => {
    const d = new ResendDouble();
    overrideChannelProvider(new HttpEmailProvider("re_double", "s@shop-example.com", base, d.fetch));
    const u = await signup();
    const [ok] = await notify(env, {
      userId: u.user.user_id,
      kind: "admin_message",
      title: "t",
      body: "b",
      dedupeKey: `ok:${Date.now()}`,
      channels: ["email"],
    });
    expect((await deliverMany(env, [{ id: ok, attempt: 1 }])).get(ok)?.outcome).toBe("sent");
    expect(d.sent.some((m) => m.to[0] === u.user.email)).toBe(true);

    d.failNext = 1;
    const [flaky] = await notify(env, {
      userId: u.user.user_id,
      kind: "admin_message",
      title: "t",
      body: "b",
      dedupeKey: `flaky:${Date.now()}`,
      channels: ["email"],
    });
    expect((await deliverMany(env, [{ id: flaky, attempt: 1 }])).get(flaky)?.outcome).toBe("retry");

    overrideChannelProvider(new HttpEmailProvider("re_revoked", "s@shop-example.com", base, d.fetch));
    const [refused] = await notify(env, {
      userId: u.user.user_id,
      kind: "admin_message",
      title: "t",
      body: "b",
      dedupeKey: `refused:${Date.now()}`,
      channels: ["email"],
    });
    const outcome = (await deliverMany(env, [{ id: refused, attempt: 1 }])).get(refused);
    expect(outcome?.outcome).toBe("failed");
    expect(outcome?.error).toMatch(/401/);
  });
});
