import { desc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { messageSink } from "../../db/schema/notifications";
import { newId } from "../../lib/ids";
import { config } from "../../lib/config";
import { setTestSeam, testSeam } from "../../lib/test-seams";

/**
 * Outbound channels behind one interface. `sink` (the default locally and in
 * tests) writes to the message_sink table, readable at GET /dev/messages; the
 * HTTP adapters speak a Resend-style email API and a Twilio-style SMS API.
 */
export interface OutboundMessage {
  channel: "email" | "sms";
  to: string;
  subject: string;
  body: string;
  notificationId: string;
}

export interface ChannelProvider {
  send(msg: OutboundMessage): Promise<void>;
  /** Many messages in one call where the channel allows it; all or nothing. */
  sendMany?(msgs: OutboundMessage[]): Promise<void>;
}

class SinkProvider implements ChannelProvider {
  constructor(private env: Pick<Env, "DB">) {}
  async send(msg: OutboundMessage): Promise<void> {
    await getDb(this.env)
      .insert(messageSink)
      .values({
        id: newId("message"),
        channel: msg.channel,
        recipient: msg.to,
        subject: msg.subject,
        body: msg.body,
        notificationId: msg.notificationId,
      });
  }
  /** Multi-row inserts (about 8 bound values a row, under D1's 100) in one batch. */
  async sendMany(msgs: OutboundMessage[]): Promise<void> {
    if (msgs.length === 0) return;
    const db = getDb(this.env);
    const rows = msgs.map((msg) => ({
      id: newId("message"),
      channel: msg.channel,
      recipient: msg.to,
      subject: msg.subject,
      body: msg.body,
      notificationId: msg.notificationId,
    }));
    const inserts = [];
    for (let i = 0; i < rows.length; i += 10) inserts.push(db.insert(messageSink).values(rows.slice(i, i + 10)));
    await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
  }
}

/**
 * The provider refused this message for good (a 4xx other than 429: a bad address, a rejected
 * key): retrying cannot help, so the notification fails at once and its message is dead-lettered.
 * A 429 or 5xx is thrown as a plain Error and retried with backoff.
 */
export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentSendError";
  }
}

async function judge(res: Response, what: string): Promise<void> {
  if (res.ok) return;
  let detail = "";
  try {
    const body = (await res.json()) as { message?: string; name?: string; code?: number | string };
    detail = [body.name ?? body.code, body.message].filter(Boolean).join(": ").slice(0, 200);
  } catch {
    // not JSON: the status says enough
  }
  const text = `${what} answered ${res.status}${detail ? ` (${detail})` : ""}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new PermanentSendError(text);
  throw new Error(text);
}

/** Resend's API: POST /emails {from, to, subject, text} with a bearer key; idempotent by notification id. */
export class HttpEmailProvider implements ChannelProvider {
  constructor(
    private apiKey: string,
    private from: string,
    private base = "https://api.resend.com",
    private fetchFn: typeof fetch = fetch,
  ) {}
  async send(msg: OutboundMessage): Promise<void> {
    const res = await this.fetchFn(`${this.base}/emails`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": msg.notificationId,
      },
      body: JSON.stringify({ from: this.from, to: [msg.to], subject: msg.subject, text: msg.body }),
      signal: AbortSignal.timeout(10_000),
    });
    await judge(res, "email provider");
  }
}

/** Twilio's API: form POST To/From/Body to the account's Messages resource with basic auth. */
export class HttpSmsProvider implements ChannelProvider {
  constructor(
    private accountSid: string,
    private token: string,
    private from: string,
    private base = "https://api.twilio.com",
    private fetchFn: typeof fetch = fetch,
  ) {}
  async send(msg: OutboundMessage): Promise<void> {
    const res = await this.fetchFn(`${this.base}/2010-04-01/Accounts/${this.accountSid}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${this.accountSid}:${this.token}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: msg.to, From: this.from, Body: `${msg.subject}: ${msg.body}`.slice(0, 1600) }),
      signal: AbortSignal.timeout(10_000),
    });
    await judge(res, "sms provider");
  }
}

/** Tests: a channel provider that replaces the configured one (fault injection; through the one test seam). */
export function overrideChannelProvider(p: ChannelProvider | null): void {
  setTestSeam("channel-provider", p);
}

export function channelProvider(env: Env, channel: "email" | "sms"): ChannelProvider {
  const override = testSeam<ChannelProvider>("channel-provider");
  if (override) return override;
  if (channel === "email" && config(env).emailProvider === "resend" && env.EMAIL_API_KEY)
    return new HttpEmailProvider(env.EMAIL_API_KEY, env.EMAIL_FROM);
  if (channel === "sms" && config(env).smsProvider === "twilio" && env.SMS_ACCOUNT_SID && env.SMS_AUTH_TOKEN) {
    return new HttpSmsProvider(env.SMS_ACCOUNT_SID, env.SMS_AUTH_TOKEN, env.SMS_FROM);
  }
  // A deployed store never gets here: the production guard refuses to serve with a sink.
  return new SinkProvider(env);
}

/** What the local sink kept instead of sending, newest first (GET /dev/messages; `recipient` narrows to one address). */
export async function listSinkMessages(env: Pick<Env, "DB">, recipient: string | undefined, limit: number) {
  const q = getDb(env).select().from(messageSink);
  const rows = await (recipient ? q.where(eq(messageSink.recipient, recipient.toLowerCase())) : q)
    .orderBy(desc(messageSink.id))
    .limit(limit)
    .all();
  return rows.map((r) => ({
    message_id: r.id,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    notification_id: r.notificationId,
    created_at: r.createdAt,
  }));
}
