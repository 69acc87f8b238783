"""The frame around every page: error pages, the header menu, each role's first page, the
favicon, and Chinese punctuation."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.template import loader
from django.urls import include, path, reverse
from django.utils import translation

from fangkong import frame

from .conftest import PASSWORD
from .matrix.common import ALL

MO = Path(__file__).resolve().parent.parent / "src/fangkong/locale/zh_Hans/LC_MESSAGES/django.mo"


def _boom(request):
    raise RuntimeError("broken on purpose")


# This module doubles as a URL configuration with a view that fails (see the 500 tests).
urlpatterns = [path("boom/", _boom), path("api/boom/", _boom), path("", include("fangkong.urls"))]
handler404 = frame.page_not_found
handler500 = frame.server_error


class _Page(HTMLParser):
    """The links and the visible text of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
# Placeholders (%(name)s, %s, {name}) and clock times or codes (17:05, 1-101) are not prose.
NOT_PROSE = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}|\d{1,2}:\d{2}(:\d{2})?")
HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"{CJK}\s*[?:,!;()]|[?:,!;()]\s*{CJK}")


def half_width_punctuation(text: str) -> list[str]:
    """Pieces of Chinese text where ASCII punctuation sits next to a Chinese character."""
    prose = NOT_PROSE.sub("\x00", text)
    return [
        prose[max(m.start() - 6, 0) : m.end() + 6] for m in HALF_WIDTH_NEXT_TO_CJK.finditer(prose)
    ]


def test_the_punctuation_check_tells_prose_from_placeholders():
    assert half_width_punctuation("谁在上报?") and half_width_punctuation("欢迎, warehouse")
    assert half_width_punctuation("台账:") and half_width_punctuation("(提前结束)")
    assert not half_width_punctuation("欢迎，%(name)s：%(role)s")
    assert not half_width_punctuation("统计于 17:05；1-101 室")


def test_the_chinese_catalogue_uses_full_width_punctuation():
    catalogue = gettext.GNUTranslations(MO.open("rb"))._catalog  # type: ignore[attr-defined]
    bad = {
        str(msgid): found
        for msgid, msgstr in catalogue.items()
        if msgid and (found := half_width_punctuation(msgstr))
    }
    assert bad == {}


@pytest.mark.parametrize("persona", ALL)
def test_every_link_in_a_roles_header_and_first_page_opens(persona, tree, people, client):
    """No link a role cannot follow, and no half-width punctuation in the Chinese it reads."""
    client.force_login(people[persona])
    first = client.get("/", follow=True)
    assert first.status_code == 200
    page = _parse(first)
    assert half_width_punctuation(" ".join(page.text)) == []
    links = {h for h in page.links if not urlsplit(h).netloc and h.startswith("/")}
    assert links, "a first page with nowhere to go"
    for href in sorted(links):
        response = client.get(href)
        assert response.status_code not in (403, 404), href
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            assert half_width_punctuation(" ".join(_parse(response).text)) == [], href


@pytest.mark.parametrize("persona", ["warehouse", "lab", "hospital", "volunteer", "outsider"])
def test_the_header_offers_no_search_to_roles_without_the_registry(persona, people, client):
    client.force_login(people[persona])
    body = client.get("/", follow=True).content.decode()
    assert f'href="{reverse("people:search")}"' not in body
    assert f'href="{reverse("health:staff")}"' not in body


def test_a_forbidden_page_is_chinese_in_the_sites_frame_with_a_way_back(people, client):
    client.force_login(people.warehouse)
    response = client.get(reverse("people:search"), HTTP_REFERER="http://testserver/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "您不能打开这个页面" in body and "Forbidden" not in body
    assert 'class="top"' in body and 'name="viewport"' in body  # the header, phone width
    page = _parse(response)
    assert reverse("people:home") in page.links and "http://testserver/" in page.links
    assert "退出" in body  # the header still lets them log out


def test_a_missing_page_is_chinese_for_anyone(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "找不到这个页面" in body and "Not Found" not in body
    assert "返回上一页" in body and "回到首页" in body  # back (the browser's) and home


def test_an_unknown_record_answers_the_chinese_404(tree, people, client):
    client.force_login(people.grid_a)
    response = client.get(reverse("people:person", args=[tree.person_b.pk]))
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_a_bad_request_is_chinese(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无法识别" in response.content.decode()


def test_an_expired_form_says_so_in_chinese(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:login"), {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


@pytest.mark.urls("tests.test_frame")
def test_a_server_error_is_chinese_in_the_frame(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错了" in body and 'class="top"' in body and "回到首页" in body


def test_the_server_error_page_renders_without_a_request():
    with translation.override("zh-hans"):
        body = loader.get_template("500.html").render()
    assert "系统出错了" in body


@pytest.mark.urls("tests.test_frame")
def test_api_errors_stay_json(tree, people, client):
    assert client.get("/api/v1/no-such-thing").json() == {"detail": "未找到。"}
    client.raise_request_exception = False
    response = client.get("/api/boom/")
    assert response.status_code == 500 and response.json() == {"detail": "系统出错了。"}
    client.force_login(people.warehouse)
    forbidden = client.get(reverse("api:list_persons"))
    assert forbidden.status_code == 403 and "detail" in forbidden.json()


def test_a_hospital_operator_not_yet_given_a_facility_is_told_whom_to_ask(people, client):
    client.force_login(people.hospital)
    response = client.get("/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("beds:home")
    assert response.status_code == 200 and "不能查看居民登记信息" not in body
    assert all(w in body for w in ["床位", "指挥部"])


def test_a_lab_operator_not_yet_given_a_lab_is_told_whom_to_ask(people, client):
    client.force_login(people.lab)
    response = client.get("/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("screening:lab")
    assert response.status_code == 200 and "欢迎，lab" in body
    assert all(w in body for w in ["试管", "检测结果", "指挥部"])


def test_a_volunteer_lands_on_their_shifts_or_without_a_record_on_their_checkpoints(people, client):
    client.force_login(people.volunteer)
    response = client.get("/", follow=True)
    assert [url for url, _code in response.redirect_chain] == [
        reverse("volunteers:me"),
        reverse("health:checkpoints"),
    ]


def test_a_user_changes_their_password(people, client):
    client.force_login(people.warehouse)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "lamp-river-47",
            "new_password2": "lamp-river-47",
        },
        follow=True,
    )
    assert "密码已修改" in response.content.decode()
    client.logout()
    assert client.login(username="warehouse", password="lamp-river-47")


def test_the_favicon_is_served_from_the_projects_files(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'<link rel="icon" href="{response["Location"]}"' in page


SRC = MO.parents[3]
# _("..."), gettext("...") and gettext_lazy("...") on one line, without a context
PY_MESSAGE = re.compile(
    r"""(?<![\w.])(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\\n]|\\.)*)"\s*[,)]"""
)
# {% translate "..." %} without a context
TEMPLATE_MESSAGE = re.compile(
    r"""\{%\s*(?:translate|trans)\s+"([^"]*)"(?![^%]*\bcontext\b)[^%]*%\}"""
)


def test_every_message_the_code_and_pages_translate_is_in_the_chinese_catalogue():
    """A message added without `make messages` (or one that only has a context's translation)
    shows in English on a Chinese page; msgfmt's check of the catalogue cannot see it."""
    catalogue = gettext.GNUTranslations(MO.open("rb"))._catalog  # type: ignore[attr-defined]
    known = {k if isinstance(k, str) else k[0] for k in catalogue}
    missing = []
    for file in sorted(SRC.rglob("*.py")):
        if "migrations" not in file.parts:
            text = file.read_text(encoding="utf-8")
            missing += [(file.name, m) for m in PY_MESSAGE.findall(text) if "\\" not in m]
    for file in sorted(SRC.rglob("*.html")):
        missing += [(file.name, m) for m in TEMPLATE_MESSAGE.findall(file.read_text("utf-8"))]
    assert [(f, m) for f, m in missing if m not in known] == []
