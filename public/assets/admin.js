// The admin pages' controls. Their HTML comes from admin-views.js (rendered by the server first, and
// by dashboard.js after a change); this module binds what each page's buttons and forms do.
import { $, api, on, toast } from "./core.js";
import { adminViews } from "./admin-views.js";
import { runPage } from "./dashboard.js";
import { errorOf, withQuery } from "./html.js";

const here = () => new URL(location.href);

const wiring = {
  "admin-reviews"(_data, _ctx, reload) {
    const decide = (status) => async (b) => {
      const id = b.getAttribute(status === "hidden" ? "data-hide" : "data-keep");
      const res = await api("POST", `/reviews/${id}/moderation`, { status });
      toast(res.ok ? (status === "hidden" ? "Hidden" : "Kept") : errorOf(res));
      if (res.ok) reload();
    };
    on("[data-hide]", decide("hidden"));
    on("[data-keep]", decide("visible"));
  },

  "admin-users"(_data, _ctx, reload) {
    const suspension = (suspended) => async (b) => {
      const id = b.getAttribute(suspended ? "data-suspend" : "data-restore");
      const reason = suspended ? $(`#why-${id}`).value.trim() : "restored by an admin";
      if (!reason) return toast("Say why you suspend the account");
      const r = await api("POST", `/admin/users/${id}/suspension`, { suspended, reason });
      toast(r.ok ? (suspended ? "Suspended; their sessions were ended" : "Restored") : errorOf(r));
      if (r.ok) reload();
    };
    on("[data-suspend]", suspension(true));
    on("[data-restore]", suspension(false));
    on("[data-role-of]", async (b) => {
      const id = b.getAttribute("data-role-of");
      const r = await api("POST", `/admin/users/${id}/role`, { role: $(`#role-${id}`).value });
      toast(r.ok ? `Now ${r.data.role}; their sessions were ended` : errorOf(r));
      if (r.ok) reload();
    });
  },

  "admin-categories"({ pick }, _ctx, reload) {
    $("#new-cat").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { name: $("#cat-name").value };
      if ($("#cat-parent").value) body.parent_id = $("#cat-parent").value;
      const r = await api("POST", "/categories", body);
      toast(r.ok ? `Created ${r.data.name}` : errorOf(r));
      if (r.ok) location.href = withQuery(here(), { category: r.data.category_id });
    });
    $("#edit-cat")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await api("PATCH", `/categories/${pick}`, {
        name: $("#ec-name").value,
        parent_id: $("#ec-parent").value || null,
      });
      toast(r.ok ? "Saved" : errorOf(r));
      if (r.ok) reload();
    });
    $("#del-cat")?.addEventListener("click", async () => {
      const r = await api("DELETE", `/categories/${pick}`);
      toast(r.ok ? "Deleted" : errorOf(r));
      if (r.ok) location.href = withQuery(here(), { category: null });
    });
    $("#new-attr")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const type = $("#na-type").value;
      const body = {
        name: $("#na-name").value,
        type,
        required: $("#na-req").checked,
        variant_option: $("#na-var").checked,
        facet: $("#na-facet").checked,
      };
      if (type === "enum")
        body.values = $("#na-values")
          .value.split(",")
          .map((v) => v.trim())
          .filter(Boolean);
      const r = await api("POST", `/categories/${pick}/attributes`, body);
      toast(r.ok ? "Attribute added" : errorOf(r));
      if (r.ok) reload();
    });
  },

  "admin-commissions"({ rules }, _ctx, reload) {
    const save = async (next) => {
      const r = await api("PUT", "/admin/commissions", { rules: next });
      toast(r.ok ? "Saved" : errorOf(r));
      if (r.ok) reload();
    };
    const clean = (r) => Object.fromEntries(Object.entries(r).filter(([k, v]) => v != null && k !== "category_name"));
    on("[data-drop-rule]", async (b) =>
      save(rules.filter((_, i) => String(i) !== b.getAttribute("data-drop-rule")).map(clean)),
    );
    $("#new-rule").addEventListener("submit", async (e) => {
      e.preventDefault();
      const cat = $("#cr-cat").value;
      const rule = { category_id: cat, percent: Number($("#cr-pct").value), fixed: Number($("#cr-fixed").value) };
      await save([...rules.filter((r) => r.category_id !== cat).map(clean), rule]);
    });
  },

  "admin-coupons"(_data, _ctx, reload) {
    $("#new-coupon").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {
        code: $("#ac-code").value,
        kind: $("#ac-kind").value,
        value: Number($("#ac-value").value),
        min_subtotal: Number($("#ac-min").value),
      };
      if ($("#ac-limit").value) body.usage_limit = Number($("#ac-limit").value);
      const res = await api("POST", "/coupons", body, { "Idempotency-Key": crypto.randomUUID() });
      toast(res.ok ? `Created ${res.data.code}` : errorOf(res));
      if (res.ok) reload();
    });
  },

  "admin-dead-letters"(_data, _ctx, reload) {
    on("[data-replay]", async (b) => {
      const r = await api("POST", `/admin/dead-letters/${b.getAttribute("data-replay")}/replay`);
      toast(r.ok ? "Sent back to its queue" : errorOf(r));
      if (r.ok) reload();
    });
    $("#replay-all")?.addEventListener("click", async () => {
      const r = await api("POST", "/admin/dead-letters/replay", {});
      toast(r.ok ? "Replayed" : errorOf(r));
      if (r.ok) reload();
    });
  },
};

export const pages = Object.fromEntries(
  Object.entries(adminViews).map(([name, page]) => [name, () => runPage(page, wiring[name])]),
);
