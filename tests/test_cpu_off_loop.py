"""CPU-heavy work of one request leaves the event loop: the rules for a case with many facts, and the PDF."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from app import poortwachter
from app.compliance import service as compliance
from app.reports import service as reports
from tests.conftest import World
from tests.workflows import add_report, report_content, spoor_2


@pytest.fixture
def threads_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each rules evaluation and each PDF render ran off the event loop's thread."""
    seen: list[bool] = []
    loop_thread = threading.get_ident()
    evaluate, render = poortwachter.evaluate, reports.render

    def watched_evaluate(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.get_ident() != loop_thread)
        return evaluate(*args, **kwargs)

    def watched_render(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.get_ident() != loop_thread)
        return render(*args, **kwargs)

    monkeypatch.setattr(poortwachter, "evaluate", watched_evaluate)
    monkeypatch.setattr(reports, "render", watched_render)
    return seen


async def test_a_case_with_many_facts_is_evaluated_in_a_thread(
    world: World, threads_seen: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _ = await spoor_2(world)
    url = f"/v1/cases/{case['id']}/compliance"
    small = await world.bureau.get(url)
    assert small.status_code == 200
    assert threads_seen == [False]  # a few facts: on the loop, cheaper than a thread hop
    monkeypatch.setattr(compliance, "THREAD_FROM_FACTS", 2)  # this case has 3 facts: now a "large" one
    large = await world.bureau.get(url)
    assert large.status_code == 200
    assert threads_seen == [False, True]
    assert large.json() == small.json()


async def test_the_pdf_renders_in_a_thread(world: World, threads_seen: list[bool]) -> None:
    _, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    response = await world.bureau.get(f"/v1/progress-reports/{report['id']}", headers={"Accept": "application/pdf"})
    assert response.status_code == 200
    assert threads_seen == [True]


async def test_the_export_pdf_renders_in_a_thread(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.retention import pdf as export_pdf

    seen: list[bool] = []
    loop_thread = threading.get_ident()
    render = export_pdf.render

    def watched(*args: Any) -> Any:
        seen.append(threading.get_ident() != loop_thread)
        return render(*args)

    monkeypatch.setattr(export_pdf, "render", watched)
    case, _ = await spoor_2(world)
    url = f"/v1/cases/{case['id']}/export"
    response = await world.bureau.get(url, headers={"Accept": "application/pdf"})
    assert response.status_code == 200, response.text
    assert seen == [True]
    assert response.headers["vary"] == "Accept"
    assert (await world.bureau.get(url)).headers["vary"] == "Accept"


async def test_the_reintegratieverslag_pdf_renders_in_a_thread(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.reintegratieverslag import pdf as riv_pdf

    seen: list[bool] = []
    loop_thread = threading.get_ident()
    render = riv_pdf.render

    def watched(*args: Any) -> Any:
        seen.append(threading.get_ident() != loop_thread)
        return render(*args)

    monkeypatch.setattr(riv_pdf, "render", watched)
    case, _ = await spoor_2(world)
    url = f"/v1/cases/{case['id']}/reintegratieverslag/export"
    response = await world.bureau.get(url, headers={"Accept": "application/pdf"})
    assert response.status_code == 200, response.text
    assert seen == [True]
    assert response.headers["vary"] == "Accept"
    assert (await world.bureau.get(url)).headers["vary"] == "Accept"
