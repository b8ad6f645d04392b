// page-ops.js - #/ops: operations under dual control (GET /v1/ops), whether
// dual control is in force (GET /v1/ops/status), and approving or refusing
// a pending one from one's own session (POST /v1/ops/{op}/approve|refuse).
// The service refuses the one who asked (403): the page shows that refusal.
import { call, current } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { confirmButton, message } from "./forms.js";

export async function render(main) {
	const [list, st] = await Promise.all([call("GET", "/v1/ops"), call("GET", "/v1/ops/status").catch(() => null)]);
	const rows = Array.isArray(list) ? list : [];
	const status = statusLine();
	main.append(h("h1", {}, "Operations under dual control"), status);
	if (st && st.in_force === false)
		main.append(h("p", { class: "error" }, show(st.message || "Dual control is not in force: held actions run at once.")));
	else if (st)
		main.append(h("p", {}, `Dual control is in force: ${show(st.approvers)} custodians can decide. ` +
			"An operation waits until a second custodian, not the one who asked, approves it from their own session."));
	const me = current() ? current().principal : null;
	const pending = rows.filter((o) => o.state === "pending");
	const decided = rows.filter((o) => o.state !== "pending");
	const decide = (o) => {
		if (!pathName(String(o.id)))
			return "\u2014";
		const what = `${show(o.action)} of ${show(o.target)}`;
		const cell = h("div", { class: "row-actions" });
		const run = (verb) => async () => {
			await call("POST", `/v1/ops/${o.id}/${verb}`);
			status.say(`Operation ${o.id} (${what}) ${verb === "approve" ? "approved" : "refused"}.`, "done");
			setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);
		};
		const approve = h("button", { type: "button", class: "approve", "aria-label": `Approve ${what}`, "data-op": o.id }, "Approve");
		approve.addEventListener("click", async () => {
			approve.disabled = true;
			try {
				await run("approve")();
			} catch (e) {
				status.say(message(e), "error");
				approve.disabled = false;
			}
		});
		cell.append(approve, confirmButton("Refuse", "Confirm refusal", `Refuse ${what}`, status, run("refuse")));
		if (me && o.requested_by === me)
			cell.append(h("p", { class: "hint" }, "You asked for this: another custodian decides it."));
		return cell;
	};
	main.append(h("h2", {}, "Waiting for a second custodian"));
	main.append(pending.length ? table("Pending operations", [
		{ label: "Operation", cell: (o) => show(o.id) },
		{ label: "Action", cell: (o) => show(o.action) },
		{ label: "Concerns", cell: (o) => show(o.target) },
		{ label: "Asked by", cell: (o) => show(o.requested_by) },
		{ label: "Asked", cell: (o) => ukDate(o.requested_at) },
		{ label: "Expires", cell: (o) => ukDate(o.expires_at) },
		{ label: "Decide", cell: decide },
	], pending) : h("p", {}, "Nothing is waiting."));
	main.append(h("h2", {}, "Decided"));
	main.append(decided.length ? table("Decided operations", [
		{ label: "Operation", cell: (o) => show(o.id) },
		{ label: "Action", cell: (o) => show(o.action) },
		{ label: "Concerns", cell: (o) => show(o.target) },
		{ label: "Asked by", cell: (o) => show(o.requested_by) },
		{ label: "Outcome", cell: (o) => show(o.state) },
		{ label: "Decided by", cell: (o) => show(o.decided_by) },
		{ label: "Decided", cell: (o) => ukDate(o.decided_at) },
	], decided) : h("p", {}, "None yet."));
}
