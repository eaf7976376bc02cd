"""The scenario library's pages.

A trainer reads, duplicates and starts their own templates, their schools' libraries and the
shipped ones (no trainer); they edit and delete their own and, as a school's admin, its
library's. schools/access.py says which: another's template looks like no template (404).
"""

import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import expected
from library import services
from library.forms import ExpectedForm, StepFormSet, TemplateForm, TemplateStepForm
from library.models import SessionTemplate
from schools import access


def _sort_key(template: SessionTemplate) -> str:
    """Alphabetical order for a translated name: accents and case ignored ("Arrêt" < "Choc")."""
    decomposed = unicodedata.normalize("NFKD", template.display_name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@login_required
def template_list(request):
    user = request.user
    templates = (
        access.templates_for(user)
        .select_related("school", "trainer")
        .annotate(step_count=Count("steps"))
    )
    # By their name in the page's language, not the stored English one.
    templates = sorted(templates, key=_sort_key)
    schools = list(access.schools_of(user))
    may_edit = access.template_editing(user)
    for template in templates:
        template.editable = may_edit(template)
    member_of = {school.pk for school in schools}
    ctx = {
        # With those still shared with a school they have left: theirs, and nowhere else.
        "own": [
            t for t in templates if t.trainer_id == user.pk and t.school_id not in member_of
        ],
        "libraries": [
            (school, [t for t in templates if t.school_id == school.pk]) for school in schools
        ],
        "shipped": [t for t in templates if t.is_shipped],
    }
    return render(request, "library/template_list.html", ctx)


@login_required
def template_detail(request, pk):
    template = access.template_for(request.user, pk)
    steps = list(template.steps.all())
    for step in steps:
        step.expected_shown = expected.described(step.expected_actions, template.shipped_text)
    ctx = {
        "template": template,
        "steps": steps,
        "expected": expected.described(template.expected_actions, template.shipped_text),
        "scoring": template.scoring,
        "editable": access.can_edit_template(request.user, template),
    }
    return render(request, "library/template_detail.html", ctx)


@login_required
def template_new(request):
    return _edit_template(request, None)


@login_required
def template_edit(request, pk):
    return _edit_template(request, access.template_for(request.user, pk, edit=True))


def _edit_template(request, template: SessionTemplate | None):
    steps = template.steps.all() if template else []
    form = TemplateForm(request.POST or None, instance=template, trainer=request.user)
    formset = StepFormSet(
        request.POST or None,
        prefix="steps",
        initial=[TemplateStepForm.initial_from_step(step) for step in steps],
    )
    expected_form = ExpectedForm(
        request.POST or None,
        actions=template.expected_actions if template else (),
        scoring=template.scoring if template else None,
    )
    # Each form checked, so that every refusal shows at once.
    valid = [form.is_valid(), formset.is_valid(), expected_form.is_valid()]
    if request.method == "POST" and all(valid):
        data = form.cleaned_data
        template = services.save_template(
            request.user,
            data["name"],
            data["description"],
            formset.steps(),
            template,
            profile=data["profile"],
            school=data["school"],
            expected_actions=expected_form.cleaned_data["expected_actions"],
            scoring=expected_form.cleaned_data["scoring"],
        )
        messages.success(request, _("Template saved."))
        return redirect("library:detail", pk=template.pk)
    refused = request.method == "POST"
    ctx = {
        "template": template,
        "form": form,
        "formset": formset,
        "expected_form": expected_form,
        "refused": refused,
        # For the summary at the top, counted from 1 as the legends say (unbound: none).
        "steps_with_errors": [n for n, step in enumerate(formset.forms, start=1) if step.errors],
    }
    return render(request, "library/template_edit.html", ctx, status=400 if refused else 200)


@login_required
@require_POST
def template_duplicate(request, pk):
    copy = services.duplicate_template(access.template_for(request.user, pk), request.user)
    messages.success(request, _("Template copied: this copy is yours to edit."))
    return redirect("library:edit", pk=copy.pk)


@login_required
def template_delete(request, pk):
    """GET asks for confirmation; POST deletes. Sessions started from it keep their steps."""
    template = access.template_for(request.user, pk, edit=True)
    if request.method == "POST":
        template.delete()
        messages.success(request, _("Template deleted."))
        return redirect("library:list")
    return render(request, "library/template_delete.html", {"template": template})
