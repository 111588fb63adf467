/**
 * Local doubles of Resend's and Twilio's HTTP APIs, speaking their wire formats (Resend: JSON
 * POST /emails with a bearer key, 422 validation errors; Twilio: form POST to the account's
 * Messages.json with basic auth, 400 with an error code). The adapters are pointed at them through
 * their fetch parameter; nothing is dialled.
 */
export class ResendDouble {
  sent: { from: string; to: string[]; subject: string; text: string; key: string | null }[] = [];
  failNext = 0;
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    if (new URL(req.url).pathname !== "/emails" || req.method !== "POST")
      return Response.json({ name: "not_found", message: "Not found" }, { status: 404 });
    if (req.headers.get("authorization") !== "Bearer re_double")
      return Response.json(
        { statusCode: 401, name: "missing_api_key", message: "API key is invalid" },
        { status: 401 },
      );
    if (this.failNext > 0) {
      this.failNext--;
      return Response.json(
        { statusCode: 500, name: "internal_server_error", message: "Unexpected error" },
        { status: 500 },
      );
    }
    const body = (await req.json()) as { from: string; to: string[]; subject: string; text: string };
    if (!Array.isArray(body.to) || !body.to.every((t) => /^[^@\s]+@[^@\s]+$/.test(t))) {
      return Response.json(
        { statusCode: 422, name: "validation_error", message: "Invalid `to` field." },
        { status: 422 },
      );
    }
    this.sent.push({ ...body, key: req.headers.get("idempotency-key") });
    return Response.json({ id: `email_${this.sent.length}` });
  };
}

export class TwilioDouble {
  sent: { To: string; From: string; Body: string }[] = [];
  rateLimitNext = 0;
  constructor(
    readonly sid = "AC_double",
    readonly token = "tw_double",
  ) {}
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    if (new URL(req.url).pathname !== `/2010-04-01/Accounts/${this.sid}/Messages.json`)
      return Response.json({ code: 20404, message: "The requested resource was not found" }, { status: 404 });
    if (req.headers.get("authorization") !== `Basic ${btoa(`${this.sid}:${this.token}`)}`)
      return Response.json({ code: 20003, message: "Authenticate" }, { status: 401 });
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return Response.json({ code: 20429, message: "Too Many Requests" }, { status: 429 });
    }
    const form = Object.fromEntries(new URLSearchParams(await req.text())) as {
      To: string;
      From: string;
      Body: string;
    };
    if (!/^\+\d{8,15}$/.test(form.To ?? ""))
      return Response.json(
        { code: 21211, message: `The 'To' number ${form.To} is not a valid phone number.` },
        { status: 400 },
      );
    this.sent.push(form);
    return Response.json({ sid: `SM${this.sent.length}`, status: "queued" }, { status: 201 });
  };
}
