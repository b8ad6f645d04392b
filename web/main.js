// main.js - the pages' shell: hash routing (#/agenda, #/cases, #/cases/REF,
// #/audit, #/passkeys, #/commissions, #/upload, #/sent, #/copies[/N],
// #/requests[/N], #/holds, #/retention, #/recall, #/principals[/NAME], #/ops,
// #/register?link=TOKEN, #/signin), the header's
// navigation and sign-out, focus moved to each page's heading.
import { whoami, current, signOut } from "./api.js";
import { h, clear } from "./dom.js";

const routes = [
	{ re: /^\/signin$/, load: () => import("./page-signin.js"), open: true },
	{ re: /^\/register$/, load: () => import("./page-register.js"), open: true },
	{ re: /^\/agenda$/, load: () => import("./page-agenda.js"), nav: "#/agenda" },
	{ re: /^\/cases$/, load: () => import("./page-cases.js"), nav: "#/cases" },
	{ re: /^\/cases\/([^/]+)$/, load: () => import("./page-case.js"), nav: "#/cases" },
	{ re: /^\/audit$/, load: () => import("./page-audit.js"), nav: "#/audit" },
	{ re: /^\/passkeys$/, load: () => import("./page-passkeys.js"), nav: "#/passkeys" },
	{ re: /^\/commissions$/, load: () => import("./page-commissions.js"), nav: "#/commissions" },
	{ re: /^\/upload$/, load: () => import("./page-upload.js"), nav: "#/upload" },
	{ re: /^\/sent$/, load: () => import("./page-sent.js"), nav: "#/sent" },
	{ re: /^\/copies$/, load: () => import("./page-copies.js"), nav: "#/copies" },
	{ re: /^\/copies\/([^/]+)$/, load: () => import("./page-copies.js"), nav: "#/copies" },
	{ re: /^\/requests$/, load: () => import("./page-requests.js"), nav: "#/requests" },
	{ re: /^\/requests\/([^/]+)$/, load: () => import("./page-requests.js"), nav: "#/requests" },
	{ re: /^\/holds$/, load: () => import("./page-holds.js"), nav: "#/holds" },
	{ re: /^\/retention$/, load: () => import("./page-retention.js"), nav: "#/retention" },
	{ re: /^\/recall$/, load: () => import("./page-recall.js"), nav: "#/recall" },
	{ re: /^\/principals$/, load: () => import("./page-principals.js"), nav: "#/principals" },
	{ re: /^\/principals\/([^/]+)$/, load: () => import("./page-principals.js"), nav: "#/principals" },
	{ re: /^\/ops$/, load: () => import("./page-ops.js"), nav: "#/ops" },
];

let known = false;	// whoami asked since the load
let rendering = 0;
let firstRender = true;

// "#/cases/SCR-1?x=y" -> {path: "/cases/SCR-1", query: URLSearchParams}
function parseHash() {
	const raw = location.hash.startsWith("#") ? location.hash.slice(1) : "";
	const q = raw.indexOf("?");
	return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

function showHeader() {
	const me = current();
	document.getElementById("nav").hidden = !me;
	document.getElementById("who").hidden = !me;
	document.getElementById("who-name").textContent = me ? `${me.principal}${me.role ? " (" + me.role + ")" : ""}` : "";
}

function markNav(nav) {
	for (const a of document.querySelectorAll("#nav a"))
		if (a.getAttribute("href") === nav)
			a.setAttribute("aria-current", "page");
		else
			a.removeAttribute("aria-current");
}

async function render() {
	const { path, query } = parseHash();
	if (path === "" || path === "/") {
		location.replace("#/agenda");
		return;
	}
	if (!path.startsWith("/"))
		return;		// "#main" (the skip link without script): not a route
	const ticket = ++rendering;
	const main = document.getElementById("main");
	let route = null, m = null;
	for (const r of routes)
		if ((m = r.re.exec(path))) {
			route = r;
			break;
		}
	// The page's module is fetched while the session is asked about (once a load).
	const loading = route ? route.load() : null;
	if (loading)
		loading.catch(() => null);
	if (!known) {
		await whoami().catch(() => null);
		known = true;
	}
	if (route && !route.open && !current()) {
		location.replace("#/signin?next=" + encodeURIComponent("#" + path));
		return;
	}
	showHeader();
	markNav(route ? route.nav : null);
	clear(main);
	if (!route) {
		main.append(h("h1", { tabindex: "-1" }, "Page not found"),
			h("p", {}, "There is no such page. ", h("a", { href: "#/agenda" }, "Go to the agenda.")));
	} else {
		try {
			const page = await loading;
			await page.render(main, { params: m.slice(1).map(decodeURIComponent), query });
		} catch (e) {
			if (ticket !== rendering)
				return;
			clear(main);
			// 404: what is not there and what is not yours look the same.
			if (e.status === 404)
				main.append(h("h1", { tabindex: "-1" }, "Not found"),
					h("p", { role: "alert" }, "There is nothing here that you can see. ",
						h("a", { href: "#/agenda" }, "Go to the agenda.")));
			else
				main.append(h("h1", { tabindex: "-1" }, "Something went wrong"),
					h("p", { class: "error", role: "alert" }, e.message || "The page could not be shown."));
		}
	}
	if (ticket !== rendering)
		return;
	const h1 = main.querySelector("h1");
	document.title = (h1 ? h1.textContent + " \u2013 " : "") + "scrvault";
	// A change of page moves focus to its heading (a screen reader says where
	// it is); the first page of a load leaves it at the start, where the
	// skip link is the first Tab.
	if (h1 && !firstRender) {
		h1.setAttribute("tabindex", "-1");
		h1.focus({ preventScroll: false });
	}
	firstRender = false;
}

function start() {
	window.addEventListener("hashchange", render);
	window.addEventListener("scrvault:signed-out", () => {
		showHeader();
		const { path } = parseHash();
		if (path !== "/signin" && path !== "/register")
			location.replace("#/signin");
	});
	document.getElementById("skip").addEventListener("click", (ev) => {
		ev.preventDefault();
		const to = document.querySelector("#main h1") || document.getElementById("main");
		to.setAttribute("tabindex", "-1");
		to.focus();
	});
	document.getElementById("signout").addEventListener("click", async () => {
		await signOut().catch(() => null);
		showHeader();
		location.replace("#/signin");
	});
	render();
}

start();
