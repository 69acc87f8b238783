"""A resident asks for help from the building's QR page, without an account, and follows it."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.assistance.choices import Status
from fangkong.assistance.models import HelpRequest
from fangkong.assistance.services import check_answer, check_progress, do_offer
from fangkong.health.services import issue_building_link, link_token, revoke_building_links

from ..health.test_resident import Block, later, no_ids, prove, token_in

__all__ = ["later"]  # the clock fixture, used here


@pytest.fixture
def block(tree, people):
    return Block(tree, people.grid_a)


def ask_page(client, block, h, **fields):
    url = reverse("assistance:resident_help", args=[link_token(block.link)])
    body = {"h": h, "action": "ask", "client_id": str(uuid.uuid4())} | fields
    return client.post(url, body)


def test_the_household_page_offers_help_and_the_form_raises_a_request(client, block):
    page = no_ids(prove(client, block))
    assert "求助" in page  # the section: ask for help
    h = token_in(page)
    form = client.post(reverse("assistance:resident_help", args=[link_token(block.link)]), {"h": h})
    assert form.status_code == 200
    assert "硝苯地平" not in no_ids(form)
    sent = ask_page(client, block, h, kind="medicine", urgency="urgent", needed="硝苯地平 两盒")
    assert sent.status_code == 302
    made = HelpRequest.objects.get()
    assert made.household == block.li and made.kind == "medicine" and made.raised_by is None
    status = client.get(sent["Location"])
    text = no_ids(status)
    assert "已收到" in text or "Your request is in" in text
    assert sent["Location"].endswith(f"/help/{made.code}/?new=1")  # a random code, not the id
    assert "李" not in text and "4321" not in text


def test_the_resident_sees_the_volunteer_on_it_and_then_delivered(client, block, tree, helper):
    h = token_in(prove(client, block).content.decode())
    status_url = ask_page(client, block, h, kind="food", urgency="today", needed="大米")["Location"]
    made = HelpRequest.objects.get()
    task = do_offer(request=made, volunteer=helper, user=None, km=1, explain={})
    check_answer(user=helper.user, task=task, accept=True)
    on_it = no_ids(client.get(status_url))
    assert helper.name not in on_it and helper.phone not in on_it
    check_progress(user=helper.user, task=task, step="delivered")
    done = client.get(status_url).content.decode()
    assert re.search(r'class="tag delivered"', done)


def test_bad_input_is_told_and_nothing_is_stored(client, block):
    h = token_in(prove(client, block).content.decode())
    refused = ask_page(client, block, h, kind="", urgency="urgent", needed="")
    assert refused.status_code == 400
    assert HelpRequest.objects.count() == 0
    assert 'role="alert"' in no_ids(refused)
    pasted = ask_page(client, block, h, kind="food", urgency="today", needed="米" * 5000)
    assert pasted.status_code == 400 and "5000" in pasted.content.decode()  # as long as sent
    assert HelpRequest.objects.count() == 0


def test_a_resent_form_stores_one_request(client, block):
    h = token_in(prove(client, block).content.decode())
    client_id = str(uuid.uuid4())
    for _i in range(2):
        ask_page(
            client, block, h, kind="gas", urgency="today", needed="液化气", client_id=client_id
        )
    assert HelpRequest.objects.count() == 1


def test_a_forged_or_foreign_household_token_asks_nothing(client, block, tree, people):
    other = issue_building_link(
        user=people.grid_b, scope=scope_of(people.grid_b), building=tree.building_b
    )
    h = token_in(prove(client, block).content.decode())
    url = reverse("assistance:resident_help", args=[link_token(other)])
    moved = client.post(url, {"h": h, "action": "ask", "kind": "gas", "urgency": "today"})
    assert moved.status_code == 302 and HelpRequest.objects.count() == 0
    forged = ask_page(client, block, "x" + h, kind="gas", urgency="today", needed="液化气")
    assert forged.status_code == 302 and HelpRequest.objects.count() == 0


def test_an_old_proof_asks_again(client, block, later):
    h = token_in(prove(client, block).content.decode())
    later(25)
    again = ask_page(client, block, h, kind="gas", urgency="today", needed="液化气")
    assert again.status_code == 403 and HelpRequest.objects.count() == 0


def test_a_status_link_is_for_its_building_only(client, block, tree, people):
    h = token_in(prove(client, block).content.decode())
    ask_page(client, block, h, kind="gas", urgency="today", needed="液化气")
    made = HelpRequest.objects.get()
    other = issue_building_link(
        user=people.grid_b, scope=scope_of(people.grid_b), building=tree.building_b
    )
    code = made.code
    foreign = client.get(reverse("assistance:resident_status", args=[link_token(other), code]))
    assert foreign.status_code == 404
    guessed = reverse("assistance:resident_status", args=[link_token(block.link), "x" + code])
    assert client.get(guessed).status_code == 404
    revoke_building_links(scope=scope_of(people.grid_a), building=block.building)
    gone = reverse("assistance:resident_status", args=[link_token(block.link), code])
    assert client.get(gone).status_code == 410


def test_a_merged_request_shows_the_one_it_went_into(client, block, people):
    from fangkong.assistance.services import check_merge_requests

    h = token_in(prove(client, block).content.decode())
    first = ask_page(client, block, h, kind="food", urgency="today", needed="大米")["Location"]
    ask_page(client, block, h, kind="food", urgency="urgent", needed="面粉")
    a, b = HelpRequest.objects.order_by("id")
    check_merge_requests(
        scope=scope_of(people.community), keep=b, duplicates=[a], user=people.community
    )
    page = client.get(first).content.decode()
    assert "面粉" not in page  # shows the state, not the text
    assert Status.MERGED not in re.findall(r'class="tag (\w+)"', page)


def test_a_phone_sending_in_a_loop_is_stopped(client, block):
    h = token_in(prove(client, block).content.decode())
    codes = [
        ask_page(client, block, h, kind="other", urgency="normal", needed=f"x{i}").status_code
        for i in range(11)
    ]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_the_household_page_lists_its_requests_with_their_state(client, block):
    h = token_in(prove(client, block).content.decode())
    status_url = ask_page(client, block, h, kind="gas", urgency="today", needed="液化气")[
        "Location"
    ]
    page = no_ids(prove(client, block))
    # the link's signed part is dated to the second it was made: compare the request's own part
    own = "/help/" + status_url.split("?")[0].split("/help/")[1]
    assert own in page and "待派单" in page
    other = no_ids(prove(client, block, door=("1", "1001"), proof="8888"))
    assert own not in other
