"""The public side of 双随机: a third party recomputes a published draw from its JSON with the standalone script in
docs/ (which imports nothing from jiliang), and what is not yet committed stays unpublished."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from jiliang.core import clock
from jiliang.supervision.models import DrawnTarget
from jiliang.supervision.services import plans, rosters

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "supervision" / "recompute_draw.py"
SEED = "2026142 03 11 17 22 28 31 + 09"


def load_script():
    spec = importlib.util.spec_from_file_location("recompute_draw_standalone", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def drawn(city, world):
    rosters.conflict_declare(
        actor=city.county_regulator_a,
        inspector=world.inspectors[1],
        credit_code=world.owners[2].credit_code,
        kind="employment",
    )
    with clock.travel(date(2026, 12, 1)):
        plans.draw_commit(actor=city.county_regulator_a, task_id=world.task.pk, seed_source="双色球第 2026142 期")
    with clock.travel(date(2026, 12, 2)):
        return plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=SEED)


def test_the_standalone_script_imports_nothing_from_jiliang():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert "jiliang" not in imported and "django" not in imported
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_a_third_party_recomputes_the_published_draw_from_its_json(client, drawn, tmp_path):
    page = client.get(reverse("draws:detail", args=[drawn.task_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert SEED in html and drawn.commitment_digest in html
    url = reverse("draws:json", args=[drawn.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    published = json.loads(response.content)

    # The standalone script, as a citizen runs it: exit 0 and "OK".
    path = tmp_path / "draw.json"
    path.write_bytes(response.content)
    run = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("OK:")

    # Its own recomputation gives exactly the targets and teams the platform stored.
    result = load_script().recompute(published)
    stored = {
        row.organization.credit_code: sorted(i.certificate_number for i in row.inspectors.all())
        for row in DrawnTarget.objects.filter(draw=drawn).select_related("organization").prefetch_related("inspectors")
    }
    assert {code: sorted(team) for code, team in result["teams"].items()} == stored
    by_stratum = {}
    for row in DrawnTarget.objects.filter(draw=drawn).order_by("stratum", "rank").select_related("organization"):
        by_stratum.setdefault(row.stratum, []).append(row.organization.credit_code)
    assert {name: ids for name, ids in result["drawn"].items() if ids} == by_stratum


def test_a_tampered_document_fails_the_script_and_verify_draw(client, drawn, tmp_path):
    published = json.loads(client.get(reverse("draws:json", args=[drawn.pk])).content)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    call_command("verify_draw", str(good))  # no SystemExit: it matches
    code = published["drawn"]["A"][0]
    published["drawn"]["A"][0] = next(
        c for c in published["rosters"]["strata"]["A"] if c not in published["drawn"]["A"]
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCRIPT), str(bad)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "MISMATCH" in run.stdout
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_draw", str(bad))
    assert exit_.value.code == 1
    assert code


def test_before_the_seed_only_the_commitment_is_public(client, city, world):
    assert client.get(reverse("draws:detail", args=[world.task.pk])).status_code == 404
    with clock.travel(date(2026, 12, 1)):
        draw = plans.draw_commit(
            actor=city.county_regulator_a, task_id=world.task.pk, seed_source="双色球第 2026142 期"
        )
    body = json.loads(client.get(reverse("draws:json", args=[draw.pk])).content)
    assert body["commitment"]["digest"] == draw.commitment_digest
    assert "rosters" not in body and "seed" not in body and "labels" not in body
    index = client.get(reverse("draws:index")).content.decode()
    assert world.task.number in index


def test_a_draft_task_is_not_public(client, world):
    assert client.get(reverse("draws:index")).content.decode().count(world.task.number) == 0
    assert client.get(reverse("draws:detail", args=[world.task.pk])).status_code == 404
    assert client.get(reverse("draws:json", args=[999999])).status_code == 404


def test_a_redraw_shows_publicly_as_a_redraw_with_its_reason(client, city, drawn):
    with clock.travel(date(2026, 12, 3)):
        plans.draw_commit(
            actor=city.county_regulator_a,
            task_id=drawn.task_id,
            seed_source="双色球第 2026143 期",
            redraw_reason="两户已注销，经批准重新抽取",
        )
    html = client.get(reverse("draws:detail", args=[drawn.task_id])).content.decode()
    assert "两户已注销，经批准重新抽取" in html and "重新抽取" in html and SEED in html


def test_the_public_downloads_the_recomputation_script_from_the_draw_page(client, drawn):
    html = client.get(reverse("draws:detail", args=[drawn.task_id])).content.decode()
    url = reverse("draws:script")
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response.content == SCRIPT.read_bytes()
