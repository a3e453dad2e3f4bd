"""The crawl: every page a role can reach from its navigation and home, checked in a real browser.

`crawl_role(browser, base_url, username, password)` signs the role in, discovers its pages (the
navigation, the home page's links, and from each of those one page of every further kind they
link to), then visits every page in each language at each width and runs the page checks on it.
Every link a page shows is requested once (with the role's cookies) and must not answer 4xx/5xx.

Page checks are plain functions `check(page, visit) -> list[str]` in PAGE_CHECKS; a new check
(an accessibility scan, say) is one more function in that list. Screenshots of every visit land in
tests/e2e/artifacts/crawl/ (ignored by git).

Run against a development server by hand:
    .venv/bin/python -m tests.e2e.crawl --base http://127.0.0.1:8000 benyi hebei
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ARTIFACTS = Path(__file__).parent / "artifacts" / "crawl"
FULL_SCREENSHOTS = os.environ.get("CRAWL_FULL_SCREENSHOTS") == "1"
# Screenshots are a record for people, not a check: in the first language unless every language is asked
# for (they were a fifth of the crawl's time).
ALL_LANGUAGE_SCREENSHOTS = os.environ.get("CRAWL_ALL_SCREENSHOTS") == "1"
LANGUAGES = ("zh-hans", "en")
WIDTHS = (1366, 390)
HEIGHT = {1366: 900, 390: 844}

# Paths the crawl never follows: they act rather than show (a GET that signs out), or they are
# the API's machine-readable answers (their status is still checked, their content not).
NEVER_VISIT = re.compile(r"^/(accounts/logout|i18n/)")
NOT_A_PAGE = re.compile(r"^/(api/v1/(?!docs/|redoc/)|static/|media/|jsi18n/)|\.(csv|xlsx|pdf|json|png|svg|zip)(\?|$)")
# Pages that are the same for everyone (the public register, the API documentation): the public role
# crawls them; for a signed-in role they are link-checked only, which keeps the crawl within minutes.
PUBLIC_PAGES = re.compile(r"^/(institutions/register/|api/v1/(docs|redoc)/)")
# Django admin: the index and one page of each model's list; change forms of single rows add little.
ADMIN_DEPTH = re.compile(r"^/admin/([^/]+/[^/]+/)?$")

# Latin words a Chinese page may show: product and format names, units and codes.
ENGLISH_ALLOWED = {
    # the product, the formats and tools it names
    "tuoyu", "api", "openapi", "json", "csv", "xlsx", "excel", "pdf", "png", "jpeg", "jpg", "svg", "url", "http",
    "https", "redoc", "swagger", "ui", "uuid", "iso", "totp", "qr", "token", "otp", "oauth",
    # units and abbreviations Chinese text uses as they are
    "kb", "mb", "gb", "id", "ip", "utc", "q", "km",
}
# The API documentation (Swagger UI, ReDoc) is a developer's tool whose own interface is English.
# django-oauth-toolkit's admin lists (API clients and tokens, landed just now) still show its field
# names in English; their section and model names are translated (portal/third_party_names.py).
ENGLISH_PAGES = re.compile(r"^/(api/v1/(docs|redoc)/|admin/oauth2_provider/)")
# Where a page shows data rather than its own words: text marked as another language (the language
# switch), as not to be translated (user names) or as code (a file's column names), and the rows of
# Django admin's lists.
NOT_WORDS = ['[translate="no"]', '[lang]:not([lang^="zh"])', "code", "kbd", "samp", "#user-tools strong",
             "#result_list tbody", "#recent-actions-module ul", "#changelist-filter li", ".readonly"]
LATIN_WORD = re.compile(r"(?<![\w@./:-])[A-Za-z][A-Za-z'’]+(?![\w@/-])")
# A message id that reached the page unformatted or untranslated: placeholders and template syntax.
RAW_MSGID = re.compile(r"%\(\w+\)[sdif]|\{\{|\}\}|\{%|%\}|\bmsgid\b")


@dataclass
class Visit:
    role: str
    lang: str
    width: int
    url: str
    status: int = 0
    content_type: str = ""
    load_ms: float = 0.0
    console: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    axe: list[dict] = field(default_factory=list)  # serious and critical violations: rule, impact, nodes

    @property
    def where(self) -> str:
        return f"{self.role} {self.lang} {self.width}px {_path(self.url)}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Page checks --------------------------------------------------------------------------------

def check_status(page, visit: Visit) -> list[str]:
    return [f"answered {visit.status}"] if visit.status >= 400 else []


def check_console(page, visit: Visit) -> list[str]:
    return [f"console: {m}" for m in visit.console]


def check_overflow(page, visit: Visit) -> list[str]:
    if visit.width > 400:
        return []
    return _overflow(page, visit.width)


def _overflow(page, width: int) -> list[str]:
    found = page.evaluate("""() => {
        const doc = document.documentElement, limit = window.innerWidth;
        if (doc.scrollWidth <= limit + 1) return null;
        const culprits = [];
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > limit + 1 && r.width > 0 && !el.closest('.table-wrap')) {
                const cls = typeof el.className === 'string' && el.className.trim()
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                culprits.push(el.tagName.toLowerCase() + cls + ' ' + Math.round(r.right) + 'px');
            }
            if (culprits.length >= 3) break;
        }
        return {width: doc.scrollWidth, culprits};
    }""")
    if not found:
        return []
    return [f"page is {found['width']}px wide at {width}px: {', '.join(found['culprits'])}"]


def check_narrow_cells(page, visit: Visit) -> list[str]:
    """A cell is too narrow when its first two characters do not fit on one line in it: names broken
    one character per line, as a squeezed table on a phone does."""
    narrow = page.evaluate("""() => {
        const out = [], canvas = document.createElement('canvas').getContext('2d');
        for (const cell of document.querySelectorAll('td, th')) {
            if (!cell.offsetParent) continue;
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            let node = walker.nextNode();
            while (node && !node.textContent.trim()) node = walker.nextNode();
            if (!node || node.parentElement.closest('.visually-hidden')) continue;  // a heading for screen readers
            const two = [...node.textContent.trim()].slice(0, 2).join('');
            if ([...two].length < 2) continue;
            canvas.font = getComputedStyle(node.parentElement).font;
            const s = getComputedStyle(cell);
            const inner = cell.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            const need = canvas.measureText(two).width;
            if (inner + 0.5 < need)
                out.push(cell.innerText.trim().slice(0, 20) + ' (' + Math.round(inner) + 'px)');
            if (out.length >= 3) break;
        }
        return out;
    }""")
    return [f"table cell narrower than two characters: {c}" for c in narrow]


def check_date_inputs(page, visit: Visit) -> list[str]:
    rejected = page.evaluate("""() => [...document.querySelectorAll(
            'input[type=date], input[type=time], input[type=datetime-local], input[type=month]')]
        .filter(i => (i.getAttribute('value') || '') !== '' && i.value === '')
        .map(i => (i.name || i.id) + '=' + i.getAttribute('value'))""")
    return [f"the browser rejects the value of input {r}" for r in rejected]


def _visible_text(page) -> str:
    """The page's visible text and the words it shows in attributes, leaving out what is marked as
    another language (lang="en", e.g. the language switch) or as not to be translated (translate="no")."""
    return page.evaluate("""SKIP => {
        const skip = el => el.closest(SKIP);
        const parts = [];  // not document.title: it repeats the heading, or names the object shown
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!el || skip(el) || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
            if (!el.checkVisibility || el.checkVisibility()) parts.push(n.textContent);
        }
        const labelled = '[placeholder], [aria-label], [title], input[type=submit][value], img[alt]';
        for (const el of document.querySelectorAll(labelled)) {
            if (skip(el)) continue;
            for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
                const v = el.getAttribute(a);
                // An identifier in a tooltip (a scope such as "filings:read") is code, not words.
                if (v && !(/^[\\w.:-]+$/.test(v) && /[:_]/.test(v))) parts.push(v);
            }
            if (el.type === 'submit' && el.value) parts.push(el.value);
        }
        return parts.join('\\n');
    }""", ", ".join(NOT_WORDS))


def check_words(page, visit: Visit) -> list[str]:
    text = _visible_text(page)
    problems = [f"raw message id or template text: {m.group(0)!r}" for m in RAW_MSGID.finditer(text)][:3]
    if visit.lang.startswith("zh") and not ENGLISH_PAGES.match(urlsplit(visit.url).path):
        english = sorted({w for w in LATIN_WORD.findall(text) if w.lower().strip("'’") not in ENGLISH_ALLOWED})
        if english:
            problems.append(f"English words in a Chinese page: {', '.join(english[:12])}")
    return problems


def check_title(page, visit: Visit) -> list[str]:
    """The title says where one is: the page's own name before the portal's, except on the home page."""
    if visit.width != WIDTHS[0] or visit.status >= 400 or urlsplit(visit.url).path == "/":
        return []
    title, portal = page.evaluate("""() => {
        const brand = document.querySelector('.site-header .brand')?.cloneNode(true);
        brand?.querySelectorAll('[aria-hidden]').forEach(n => n.remove());
        return [document.title.trim(), brand ? brand.textContent.trim() : null]; }""")
    if not title:
        return ["the page has no title"]
    if portal and title.split(" · ")[0].strip() == portal:
        return [f"the title names only the portal: {title!r}"]
    return []


# axe-core (npm, installed by `make assets`) read from node_modules and evaluated in the page: the
# DevTools protocol is not held to the page's Content-Security-Policy, a <script> tag would be.
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, the level GB/T 37668-2019 asks of government sites.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILS = ("serious", "critical")
# A second language changes the words, not the markup: its pages are scanned for the rules the words and
# the language can break (names, labels, titles, lang attributes) and spared the layout and colour rules,
# which the first language's scan of the same page has already run (the contrast rule alone is most of
# axe's time).
AXE_LANGUAGE_RULES = ["html-has-lang", "html-lang-valid", "valid-lang", "document-title", "link-name", "button-name",
                      "input-button-name", "label", "select-name", "image-alt", "aria-command-name",
                      "aria-input-field-name", "aria-toggle-field-name", "aria-valid-attr-value"]


def _axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise AssertionError(f"{AXE_SOURCE} is missing: `make assets` installs the npm packages")
    return AXE_SOURCE.read_text()


def check_axe(page, visit: Visit) -> list[str]:
    """axe-core's serious and critical violations of WCAG 2.1 A/AA, one line per rule with the
    first targets it names. The page is scanned as it is shown at the visit's width and language (in a
    second language, for the rules its words can break)."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(_axe_source())
    only = ({"type": "tag", "values": AXE_TAGS} if visit.lang == LANGUAGES[0]
            else {"type": "rule", "values": AXE_LANGUAGE_RULES})
    violations = page.evaluate("""only => axe.run(document, {runOnly: only, resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
            targets: v.nodes.map(n => n.target.join(' '))})))""", only)
    problems = []
    for v in violations:
        if v["impact"] in AXE_FAILS:
            visit.axe.append({"id": v["id"], "impact": v["impact"], "nodes": len(v["targets"])})
            shown = ", ".join(v["targets"][:3]) + (f" (+{len(v['targets']) - 3})" if len(v["targets"]) > 3 else "")
            problems.append(f"axe {v['impact']} {v['id']}: {shown}")
    return problems


# 200 % zoom on a 390 px phone leaves 195 CSS pixels; checked with the larger-text mode on, in the first
# language, on the pages each role works in most. The mode is the class the header's switch sets through
# its cookie (portal.views.text_size); set here in place, it spares a reload.
ZOOM_WIDTH = 195
ZOOM_PAGES = re.compile(r"^/($|accounts/login/|dashboards/[^/]+/$|filings/(mine/|queue/|\d+/)?$"
                        r"|institutions/(mine/|register/|\d+/)?$|enrolments/classes/$|supervision/$|complaints/$)")


def check_zoom(page, visit: Visit) -> list[str]:
    """The layout survives 200 % zoom with larger text: no sideways scrolling of the page (a wide
    table scrolls inside its own box)."""
    if visit.lang != LANGUAGES[0] or visit.width != WIDTHS[-1] or not ZOOM_PAGES.match(urlsplit(visit.url).path):
        return []
    page.evaluate("() => document.documentElement.classList.add('text-large')")
    page.set_viewport_size({"width": ZOOM_WIDTH, "height": HEIGHT[WIDTHS[-1]]})
    page.wait_for_timeout(RESIZE_SETTLE_MS)
    try:
        return [f"larger text at 200 % zoom: {p}" for p in _overflow(page, ZOOM_WIDTH)]
    finally:
        page.evaluate("() => document.documentElement.classList.remove('text-large')")  # the crawl never sets it
        page.set_viewport_size({"width": visit.width, "height": HEIGHT[visit.width]})
        page.wait_for_timeout(RESIZE_SETTLE_MS)


# Tabbing: in the first language on a desktop, through every page that has a form in its content.
KEYBOARD_BATCH = 25  # Tab presses between two looks at what has been reached
KEYBOARD_MAX_TABS = 400


def check_keyboard(page, visit: Visit) -> list[str]:
    """Every control of the page's forms is reached by Tab from the top of the page, and each element
    that takes the focus on the way shows it (an outline or a ring). Radio buttons of one group are one
    stop, as browsers make them."""
    if visit.lang != LANGUAGES[0] or visit.width != WIDTHS[0] or visit.status >= 400:
        return []
    if _only_first_pass(urlsplit(visit.url).path):
        return []  # Django's admin lists and forms: its own markup, and a list of 100 rows is 300 Tab stops
    controls = page.evaluate("""() => {
        const controls = [...document.querySelectorAll('main form :is(input, select, textarea, button)')]
            .filter(el => el.type !== 'hidden' && !el.disabled && el.tabIndex >= 0 && el.checkVisibility());
        const key = el => el.type === 'radio' ? 'radio:' + el.form?.id + ':' + el.name : 'c' + controls.indexOf(el);
        const describe = el => el.tagName.toLowerCase() + (el.name ? `[name=${el.name}]` : '')
            + (el.id ? '#' + el.id : '') + (el.tagName === 'A' ? ` "${el.textContent.trim().slice(0, 30)}"` : '');
        window.__keyboard = {wanted: {}, seen: new Set(), unseen: [], hidden: []};
        for (const el of controls) { el.__key = key(el); window.__keyboard.wanted[el.__key] = describe(el); }
        if (!controls.length) return 0;
        document.addEventListener('focusin', e => {
            const el = e.target, s = getComputedStyle(el), k = window.__keyboard;
            if (el.__key) k.seen.add(el.__key);
            const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
            if (!ring && k.hidden.length < 3) k.hidden.push(describe(el));
        });
        document.activeElement?.blur();
        window.scrollTo(0, 0);
        return Object.keys(window.__keyboard.wanted).length;
    }""")
    if not controls:
        return []
    for _ in range(KEYBOARD_MAX_TABS // KEYBOARD_BATCH):
        for _press in range(KEYBOARD_BATCH):
            page.keyboard.press("Tab")
        if page.evaluate("() => window.__keyboard.seen.size") >= controls:
            break
    result = page.evaluate("""() => { const k = window.__keyboard;
        document.activeElement?.blur(); window.scrollTo(0, 0);
        return {unseen: Object.entries(k.wanted).filter(([key]) => !k.seen.has(key)).map(([, d]) => d),
                hidden: k.hidden}; }""")
    problems = []
    if result["unseen"]:
        problems.append(f"keyboard: not reached by Tab: {', '.join(result['unseen'][:5])}")
    if result["hidden"]:
        problems.append(f"keyboard: focus not visible on {', '.join(result['hidden'])}")
    return problems


PAGE_CHECKS: list[Callable[[object, Visit], list[str]]] = [
    check_status, check_console, check_overflow, check_narrow_cells, check_date_inputs, check_words, check_title,
    check_axe, check_keyboard, check_zoom,
]


# --- The crawl ------------------------------------------------------------------------------------

@dataclass
class RoleCrawl:
    role: str
    pages: list[str] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    link_problems: list[str] = field(default_factory=list)
    links_checked: int = 0

    @property
    def problems(self) -> list[str]:
        return self.link_problems + [f"{v.where}: {p}" for v in self.visits for p in v.problems]


def _shape(path: str) -> str:
    """Pages of one kind share a shape: /filings/17/ and /filings/23/ are both /filings/N/."""
    return re.sub(r"/\d+(?=/|$|\.)", "/N", path)


def _links(page, base_url: str, scope: str = "body") -> list[str]:
    hrefs = page.evaluate(f"""() => [...document.querySelectorAll('{scope} a[href]')]
        .filter(a => !a.closest('[hx-boost=false]'))
        .map(a => a.href)""")
    out = []
    for href in hrefs:
        url = href.split("#", 1)[0]
        if url.startswith(base_url) and url not in out:
            out.append(url)
    return out


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    if "/accounts/login/" in page.url:
        raise AssertionError(f"{username} could not sign in")


def _set_language(context, base_url: str, lang: str) -> None:
    host = urlsplit(base_url).hostname
    context.add_cookies([{"name": "django_language", "value": lang, "domain": host, "path": "/"}])


def _goto(page, url: str, visit: Visit) -> None:
    visit.console.clear()
    with _timed("load"):
        response = page.goto(url, wait_until="load")
    visit.status = response.status if response else 0
    visit.content_type = response.headers.get("content-type", "") if response else ""
    visit.load_ms = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return n ? n.loadEventEnd - n.startTime : 0; }""")


LINKS_PER_SHAPE = 3  # a list of 100 children links to one view 100 times: three of them stand for all


def _check_links(context, links: set[str], crawl: RoleCrawl) -> None:
    per_shape: dict[str, int] = {}
    for url in sorted(links):
        path = urlsplit(url).path
        if NEVER_VISIT.match(path):
            continue
        per_shape[_shape(path)] = per_shape.get(_shape(path), 0) + 1
        if per_shape[_shape(path)] > LINKS_PER_SHAPE:
            continue
        with _timed("links"):
            response = context.request.get(url, max_redirects=5)
        crawl.links_checked += 1
        if response.status >= 400:
            crawl.link_problems.append(f"{crawl.role}: link {urlsplit(url).path} answered {response.status}")
        response.dispose()


def _only_first_pass(path: str) -> bool:
    """Django's admin pages beyond its index are checked once, in Chinese on a desktop: they are
    Django's own responsive layout, and what the portal adds to them is the words."""
    return path.startswith("/admin/") and path != "/admin/"


class _Tab:
    """One browser tab of a role, reused for every page; console errors go to the current visit."""

    def __init__(self, context):
        self.page = context.new_page()
        self.width = self.page.viewport_size["width"]
        self.visit: Visit | None = None
        self.page.on("console", lambda msg: msg.type == "error" and self._note(msg.text))
        self.page.on("pageerror", lambda exc: self._note(f"uncaught {exc}"))

    def _note(self, message: str) -> None:
        if self.visit is not None:
            self.visit.console.append(message[:300])

    def check(self, visit: Visit, screenshots: bool) -> None:
        self.visit = visit
        for check in PAGE_CHECKS:
            with _timed(check.__name__):
                visit.problems.extend(check(self.page, visit))
        self.visit = None
        if screenshots and (visit.lang == LANGUAGES[0] or ALL_LANGUAGE_SCREENSHOTS):
            with _timed("screenshot"):
                _screenshot(self.page, visit)

    def resize(self, width: int) -> None:
        if width == self.width:
            return
        with _timed("resize"):
            self.page.set_viewport_size({"width": width, "height": HEIGHT[width]})
            self.page.wait_for_timeout(RESIZE_SETTLE_MS)
        self.width = width


# Seconds spent per step over the whole crawl, in the summary: where its time goes.
STEP_SECONDS: dict[str, float] = {}


@contextmanager
def _timed(step: str):
    started = time.monotonic()
    try:
        yield
    finally:
        STEP_SECONDS[step] = STEP_SECONDS.get(step, 0.0) + time.monotonic() - started


# After a resize the page's own handlers (ECharts) redraw on the next frames.
RESIZE_SETTLE_MS = 120


def crawl_role(browser, base_url: str, username: str | None, password: str = "",
               languages=LANGUAGES, widths=WIDTHS, screenshots: bool = True,
               skip_pages: re.Pattern | None = None) -> RoleCrawl:
    """The first language's pass discovers the pages while checking them: home, the navigation and
    the home page's links, and from each of those one page of every further kind (shape) they link
    to. Every page is loaded once per language at the width the tab is at, checked, then resized to the
    other width (the server sends the same page to every width; CSS and the charts' resize handlers
    do the rest) and checked again."""
    role = username or "public"
    if skip_pages is None:
        skip_pages = PUBLIC_PAGES if username else re.compile(r"(?!)")
    crawl = RoleCrawl(role=role)
    context = browser.new_context(locale="zh-CN", viewport={"width": widths[0], "height": HEIGHT[widths[0]]})
    context.set_default_timeout(20000)

    def visit_all_widths(tab: _Tab, url: str, lang: str, first: Visit | None = None) -> Visit:
        """Loads `url` at the tab's current width (unless `first` is its visit, loaded already), checks it,
        then resizes to each further width and checks again. The tab stays at the last width, where the
        next page loads: each page costs one resize, and half of them load as a phone would load them."""
        path = urlsplit(url).path
        here = [widths[0]] if _only_first_pass(path) else [tab.width] + [w for w in widths if w != tab.width]
        if first is None:
            tab.resize(here[0])
            first = Visit(role=role, lang=lang, width=here[0], url=url)
            tab.visit = first
            _goto(tab.page, url, first)
            tab.visit = None
        tab.check(first, screenshots)
        crawl.visits.append(first)
        for width in here[1:]:
            tab.resize(width)
            other = Visit(role=role, lang=lang, width=width, url=url, status=first.status,
                          content_type=first.content_type, load_ms=first.load_ms)
            tab.check(other, screenshots)
            crawl.visits.append(other)
        return first

    try:
        tab = _Tab(context)
        _set_language(context, base_url, languages[0])
        if username:
            login(tab.page, base_url, username, password)

        # First language: discover and check.
        tab.page.goto(base_url + "/", wait_until="load")
        first = [base_url + "/"]
        for url in _links(tab.page, base_url, "nav.main-nav") + _links(tab.page, base_url, "main"):
            if url not in first:
                first.append(url)
        shown, shapes = set(first), set()
        queue = [(u, 1) for u in first]
        queued = set(first)
        while queue:
            url, depth = queue.pop(0)
            path = urlsplit(url).path
            if NEVER_VISIT.match(path) or NOT_A_PAGE.search(path) or (depth > 1 and _shape(path) in shapes):
                continue
            if skip_pages.match(path) or path.startswith("/admin/") and not ADMIN_DEPTH.match(path):
                continue
            shapes.add(_shape(path))
            if _only_first_pass(path):
                tab.resize(widths[0])
            visit = Visit(role=role, lang=languages[0], width=tab.width, url=url)
            tab.visit = visit
            _goto(tab.page, url, visit)
            tab.visit = None
            if "text/html" not in (visit.content_type or ""):
                continue
            if urlsplit(tab.page.url).path.startswith("/accounts/login") and not path.startswith("/accounts/login"):
                continue  # a page that asks this role to sign in: the link check reports it
            links = _links(tab.page, base_url, "main")
            visit_all_widths(tab, url, languages[0], first=visit)
            crawl.pages.append(url)
            shown.update(links)
            if depth < 2:
                for link in links:
                    if link not in queued:
                        queued.add(link)
                        queue.append((link, depth + 1))

        _check_links(context, shown, crawl)

        # The other languages: the same pages.
        for lang in languages[1:]:
            _set_language(context, base_url, lang)
            for url in crawl.pages:
                if not _only_first_pass(urlsplit(url).path):
                    visit_all_widths(tab, url, lang)
    finally:
        context.close()
    return crawl


def _screenshot(page, visit: Visit) -> None:
    path = urlsplit(visit.url).path.strip("/").replace("/", "_") or "home"
    query = urlsplit(visit.url).query
    if query:
        path += "_" + re.sub(r"[^\w=-]+", "_", query)[:40]
    target = ARTIFACTS / visit.role / f"{visit.lang}-{visit.width}-{path}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    # A full-page capture re-lays the page out at its whole height (charts redraw): about a second on a
    # dashboard. The phone, where layouts break, gets it; a desktop visit keeps its first screen.
    # A record, not a check of speed: a busy machine may take longer than the pages' 20 s to capture one.
    page.screenshot(path=str(target), full_page=visit.width < 800 or FULL_SCREENSHOTS, timeout=60_000)


def _axe_counts(visits: list[Visit]) -> dict:
    """Serious and critical violations over the crawl: visits with one, and per impact and rule the
    number of (visit, rule) pairs and of elements."""
    by_rule: dict[str, dict] = {}
    for v in visits:
        for a in v.axe:
            row = by_rule.setdefault(f"{a['impact']} {a['id']}", {"visits": 0, "nodes": 0})
            row["visits"] += 1
            row["nodes"] += a["nodes"]
    return {
        "visits_with_violations": sum(1 for v in visits if v.axe),
        "serious": sum(r["visits"] for k, r in by_rule.items() if k.startswith("serious")),
        "critical": sum(r["visits"] for k, r in by_rule.items() if k.startswith("critical")),
        "by_rule": dict(sorted(by_rule.items(), key=lambda kv: -kv[1]["visits"])),
    }


def write_summary(crawls: list[RoleCrawl]) -> dict:
    visits = [v for c in crawls for v in c.visits]
    slowest = sorted(visits, key=lambda v: v.load_ms, reverse=True)[:10]
    summary = {
        "roles": len(crawls),
        "pages": sum(len(c.pages) for c in crawls),
        "visits": len(visits),
        "links_checked": sum(c.links_checked for c in crawls),
        "slowest": [{"where": v.where, "load_ms": round(v.load_ms)} for v in slowest],
        "axe": _axe_counts(visits),
        "seconds_by_step": {k: round(v, 1) for k, v in sorted(STEP_SECONDS.items(), key=lambda kv: -kv[1])},
        "problems": [p for c in crawls for p in c.problems],
        "pages_by_role": {c.role: [_path(u) for u in c.pages] for c in crawls},
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # One summary per test worker (summary-gw1.json), each of the crawls that worker ran.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    (ARTIFACTS / f"summary{'-' + worker if worker else ''}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1))
    return summary


def main(argv=None) -> int:  # pragma: no cover - a manual run against a development server
    import argparse

    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    chromium_args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

    parser = argparse.ArgumentParser(description="Crawl the portal as demo roles")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="tuoyu-demo-2026")
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument("roles", nargs="*", default=["public"])
    args = parser.parse_args(argv)
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=chromium_args, headless=True)
        crawls = []
        for role in args.roles:
            t = time.monotonic()
            crawl = crawl_role(browser, args.base, None if role == "public" else role, args.password,
                               screenshots=not args.no_screenshots)
            crawls.append(crawl)
            print(f"{role}: {len(crawl.pages)} pages, {len(crawl.visits)} visits, "
                  f"{crawl.links_checked} links, {time.monotonic() - t:.1f}s")
        browser.close()
    summary = write_summary(crawls)
    for problem in summary["problems"]:
        print(problem)
    print(json.dumps(summary["slowest"][:5], ensure_ascii=False, indent=1))
    print(f"{summary['visits']} visits in {time.monotonic() - started:.1f}s, {len(summary['problems'])} problems")
    return 1 if summary["problems"] else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
