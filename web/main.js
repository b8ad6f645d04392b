// main.js - the pages' shell: hash routing (#/agenda, #/cases, #/cases/REF,
// #/audit, #/passkeys, #/commissions, #/upload, #/sent, #/copies[/N],
// #/requests[/N], #/retention, #/principals[/NAME], #/ops,
// #/register?link=TOKEN, #/signin), the header's
// navigation and sign-out, focus moved to each page's heading.
import { whoami, current, signOut } from "./api.js";
import { h, clear } from "./dom.js";
import * as signin from "./page-signin.js";
import * as register from "./page-register.js";
import * as agenda from "./page-agenda.js";
import * as cases from "./page-cases.js";
import * as kase from "./page-case.js";
import * as audit from "./page-audit.js";
import * as passkeys from "./page-passkeys.js";
import * as commissions from "./page-commissions.js";
import * as upload from "./page-upload.js";
import * as sent from "./page-sent.js";
import * as copies from "./page-copies.js";
import * as requests from "./page-requests.js";
import * as retention from "./page-retention.js";
import * as principals from "./page-principals.js";
import * as ops from "./page-ops.js";

const routes = [
	{ re: /^\/signin$/, page: signin, open: true },
	{ re: /^\/register$/, page: register, open: true },
	{ re: /^\/agenda$/, page: agenda, nav: "#/agenda" },
	{ re: /^\/cases$/, page: cases, nav: "#/cases" },
	{ re: /^\/cases\/([^/]+)$/, page: kase, nav: "#/cases" },
	{ re: /^\/audit$/, page: audit, nav: "#/audit" },
	{ re: /^\/passkeys$/, page: passkeys, nav: "#/passkeys" },
	{ re: /^\/commissions$/, page: commissions, nav: "#/commissions" },
	{ re: /^\/upload$/, page: upload, nav: "#/upload" },
	{ re: /^\/sent$/, page: sent, nav: "#/sent" },
	{ re: /^\/copies$/, page: copies, nav: "#/copies" },
	{ re: /^\/copies\/([^/]+)$/, page: copies, nav: "#/copies" },
	{ re: /^\/requests$/, page: requests, nav: "#/requests" },
	{ re: /^\/requests\/([^/]+)$/, page: requests, nav: "#/requests" },
	{ re: /^\/retention$/, page: retention, nav: "#/retention" },
	{ re: /^\/principals$/, page: principals, nav: "#/principals" },
	{ re: /^\/principals\/([^/]+)$/, page: principals, nav: "#/principals" },
	{ re: /^\/ops$/, page: ops, nav: "#/ops" },
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
	if (!known) {
		await whoami().catch(() => null);
		known = true;
	}
	let route = null, m = null;
	for (const r of routes)
		if ((m = r.re.exec(path))) {
			route = r;
			break;
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
			await route.page.render(main, { params: m.slice(1).map(decodeURIComponent), query });
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
