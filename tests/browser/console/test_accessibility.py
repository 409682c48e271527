"""Accessibility in Chromium: every field labelled, keyboard-only use, WCAG AA contrast of all text.

Contrast is measured in the page as the browser rendered it: each element's text colour against the
first opaque background behind it, 4.5:1 for normal text and 3:1 for large text (WCAG 2.x AA).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console.conftest import Console, sign_in

pytestmark = pytest.mark.browser

CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0.99) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    if (el.closest('svg')) continue;  // chart labels are checked as the tables beside them
    const fg = lum(rgb(style.color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < needed) failures.push(`${el.tagName} "${text}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(f => f.type !== 'hidden' && !(f.labels && f.labels.length) && !f.getAttribute('aria-label'))
  .map(f => f.name || f.id)"""


def _check(page: Any) -> None:
    assert page.evaluate(UNLABELLED) == [], f"fields with no label on {page.url}"
    assert page.evaluate(CONTRAST) == [], f"text below WCAG AA contrast on {page.url}"


def test_public_pages_are_labelled_and_readable_and_work_by_keyboard(page: Any, console: Console) -> None:
    page.goto(f"{console.base}/")
    assert page.url.endswith("/privacy")  # the bare address is the privacy center
    _check(page)
    page.goto(f"{console.base}/privacy/request")
    _check(page)
    page.focus("#type")
    page.keyboard.press("ArrowDown")  # a choice made with the keyboard
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard.user@example.com")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "region"
    for _ in range(10):  # on to the send button, through whatever fields come between
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "send":
            break
    page.keyboard.press("Enter")  # submits the form, no script involved
    page.wait_for_selector("#state")
    assert "keyboard.user" not in page.url  # no personal data in the address
    _check(page)
    assert page.evaluate("document.querySelector('#code').labels.length") == 1


@pytest.mark.parametrize("path", ["/admin/requests", "/admin/tasks", "/admin/dashboard", "/admin/audit"])
def test_console_pages_are_labelled_and_readable(page: Any, console: Console, path: str) -> None:
    sign_in(page, console, "admin", next_path=path)
    _check(page)


def test_the_sign_in_form_is_labelled_and_readable(page: Any, console: Console) -> None:
    page.goto(f"{console.base}/admin/sign-in")
    _check(page)
    # The checks themselves catch what they are for: pale grey text, a field with no label.
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'faint';
        p.style.color = '#bbbbbb'; document.body.append(p);
        const i = document.createElement('input'); i.name = 'bare'; document.body.append(i); }""")
    assert page.evaluate(CONTRAST) == ['P "faint" 1.92'] and page.evaluate(UNLABELLED) == ["bare"]
