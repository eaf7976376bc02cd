"""The cohort page of a scenario: its runs side by side, and the figures of each expected action.

A trainer compares their own runs of a template they may read; a school's admin, the school's
too (schools/access.py: cohort_sessions). Another's template looks like no template (404).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from assessment import cohort as cohorts
from assessment import report
from assessment.forms import CohortFilterForm
from schools import access
from sessions_app import debrief


def _cohort_for(request, pk):
    """The template, the filter form, and the cohort of the runs it lets through (None when
    the dates are wrong)."""
    template = access.template_for(request.user, pk)
    form = CohortFilterForm(request.GET or None)
    sessions = access.cohort_sessions(request.user, template).select_related("template")
    if form.is_bound and not form.is_valid():
        return template, form, None
    dates = form.cleaned_data if form.is_bound else {}
    if dates.get("start"):
        sessions = sessions.filter(created_at__date__gte=dates["start"])
    if dates.get("end"):
        sessions = sessions.filter(created_at__date__lte=dates["end"])
    return template, form, cohorts.build(template, sessions.order_by("created_at"))


@login_required
def cohort(request, pk):
    template, form, found = _cohort_for(request, pk)
    ctx = {"template": template, "form": form, "cohort": found}
    if found is not None:
        ctx["table"] = _table(found)
        ctx["query"] = request.GET.urlencode()
    return render(request, "assessment/cohort.html", ctx, status=400 if found is None else 200)


@login_required
def cohort_export(request, pk):
    template, form, found = _cohort_for(request, pk)
    if found is None:
        # What the page would say beside the fields, for a link followed with bad dates.
        messages = [str(message) for errors in form.errors.values() for message in errors]
        return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")
    style = debrief.CsvStyle.for_language(translation.get_language())
    response = HttpResponse(cohorts.csv_text(found, style), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohorts.csv_filename(template)}"'
    return response


def _table(found: cohorts.Cohort) -> dict:
    """The page's table: a row per run, a cell per action; then the figures per action."""
    runs = []
    for run in found.runs:
        cells = []
        for column in found.columns:
            outcome = run.outcomes.get(column.key)
            seconds = run.seconds_to(column.key)
            cells.append(
                {
                    "status": outcome.status if outcome else None,
                    "status_text": report.outcome_text(outcome) if outcome else "",
                    "time": None if seconds is None else report.signed_offset(seconds),
                }
            )
        runs.append(
            {
                "run": run,
                "duration": debrief.format_offset(run.duration_seconds),
                "cells": cells,
            }
        )
    figures = []
    for column in found.columns:
        numbers = found.figures[column.key]
        text = {
            name: None if value is None else report.signed_offset(value)
            for name, value in (
                ("median", numbers.median), ("q1", numbers.q1), ("q3", numbers.q3),
                ("low", numbers.low), ("high", numbers.high),
            )
        }  # fmt: skip
        figures.append({"column": column, "figures": numbers, **text})
    return {"runs": runs, "figures": figures}
