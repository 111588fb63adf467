// A signed-in user's account settings: how they hear of each event, their saved cards and store
// credit, a password change, and their data export.
import { $, api, auth, setAuth, toast } from "./core.js";
import { errorOf, esc, money, table } from "./html.js";

const EVENTS = [
  ["order_paid", "Order paid"],
  ["order_shipped", "Order shipped"],
  ["order_delivered", "Order delivered"],
  ["order_cancelled", "Order cancelled"],
  ["refund_issued", "Refund issued"],
  ["back_in_stock", "Back in stock"],
];
const CHANNELS = [
  ["in_app", "In the store"],
  ["email", "Email"],
  ["sms", "Text message"],
];

export async function settings(el) {
  const me = auth().user;
  const [prefs, wallet] = await Promise.all([
    api("GET", `/users/${me.user_id}/notification-preferences`),
    api("GET", "/wallet"),
  ]);
  const p = prefs.ok ? prefs.data : {};
  const w = wallet.ok ? wallet.data : { balance: 0, payment_methods: [] };
  el.innerHTML = `
    <section aria-labelledby="h-prefs"><h2 id="h-prefs">Notifications</h2>
      <form id="prefs"><div class="scroll" tabindex="0" role="region" aria-label="Notification preferences"><table><caption class="sr">How you hear of each event</caption>
        <thead><tr><th scope="col">Event</th>${CHANNELS.map(([, l]) => `<th scope="col">${l}</th>`).join("")}</tr></thead>
        <tbody>${EVENTS.map(
          ([k, label]) =>
            `<tr><th scope="row">${label}</th>${CHANNELS.map(
              ([ch, cl]) =>
                `<td><input type="checkbox" id="p-${k}-${ch}" data-event="${k}" data-channel="${ch}" aria-label="${label}: ${cl}"${(p[k] ?? []).includes(ch) ? " checked" : ""}></td>`,
            ).join("")}</tr>`,
        ).join("")}</tbody></table></div>
        <button type="submit">Save notifications</button></form></section>
    <section aria-labelledby="h-cards"><h2 id="h-cards">Payment</h2>
      <p>Store credit: <strong id="credit">${money(w.balance)}</strong></p>
      ${table(
        "Saved cards",
        ["Card", ""],
        w.payment_methods.map((m) => [
          esc(m.label ? `${m.label} · ${m.display}` : m.display),
          `<button type="button" data-forget="${esc(m.payment_method_id)}">Remove</button>`,
        ]),
        "No saved cards: tick “Save this card” at checkout.",
      )}</section>
    <section aria-labelledby="h-password"><h2 id="h-password">Password</h2>
      <form id="password-change"><label for="pc-current">Current password</label><input id="pc-current" type="password" required autocomplete="current-password">
        <label for="pc-new">New password (8+ characters)</label><input id="pc-new" type="password" minlength="8" required autocomplete="new-password">
        <button type="submit">Change password</button></form></section>
    <section aria-labelledby="h-data"><h2 id="h-data">Your data</h2>
      <p><a href="/users/${esc(me.user_id)}/export" data-download="my-data.json">Download everything we hold about you (JSON)</a></p></section>`;
  $("#prefs").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(EVENTS.map(([k]) => [k, []]));
    for (const box of el.querySelectorAll("#prefs input:checked"))
      body[box.getAttribute("data-event")].push(box.getAttribute("data-channel"));
    const r = await api("PATCH", `/users/${me.user_id}/notification-preferences`, body);
    toast(r.ok ? "Saved" : errorOf(r));
  });
  for (const b of el.querySelectorAll("[data-forget]"))
    b.addEventListener("click", async () => {
      const r = await api("DELETE", `/wallet/payment-methods/${b.getAttribute("data-forget")}`);
      toast(r.ok ? "Card removed" : errorOf(r));
      if (r.ok) settings(el);
    });
  $("#password-change").addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", "/auth/password/change", {
      current_password: $("#pc-current").value,
      new_password: $("#pc-new").value,
    });
    if (!r.ok) return toast(errorOf(r));
    // Every session ends with a password change, this one too: sign in again with the new one.
    setAuth(null);
    location.href = `/store/account?next=${encodeURIComponent("/store/account")}`;
  });
}
