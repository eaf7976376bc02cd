"""The scenario library's pages.

Shipped templates (no trainer) are readable by every trainer and can be duplicated and started;
only a trainer's own can be edited or deleted.
"""

import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library import services
from library.forms import StepFormSet, TemplateForm, TemplateStepForm
from library.models import SessionTemplate


def _get_own_template(request, pk) -> SessionTemplate:
    """The logged-in trainer's own template, or 404: shipped ones and others' are not editable."""
    return get_object_or_404(SessionTemplate, pk=pk, trainer=request.user)


def _get_visible_template(request, pk) -> SessionTemplate:
    """An own or shipped template, or 404: another trainer's looks like no template."""
    return get_object_or_404(SessionTemplate.objects.visible_to(request.user), pk=pk)


def _sort_key(template: SessionTemplate) -> str:
    """Alphabetical order for a translated name: accents and case ignored ("Arrêt" < "Choc")."""
    decomposed = unicodedata.normalize("NFKD", template.display_name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@login_required
def template_list(request):
    templates = SessionTemplate.objects.visible_to(request.user).annotate(step_count=Count("steps"))
    ctx = {
        "own": [t for t in templates if not t.is_shipped],
        # By their name in the page's language, not the stored English one.
        "shipped": sorted((t for t in templates if t.is_shipped), key=_sort_key),
    }
    return render(request, "library/template_list.html", ctx)


@login_required
def template_detail(request, pk):
    template = _get_visible_template(request, pk)
    ctx = {"template": template, "steps": template.steps.all()}
    return render(request, "library/template_detail.html", ctx)


@login_required
def template_new(request):
    return _edit_template(request, None)


@login_required
def template_edit(request, pk):
    return _edit_template(request, _get_own_template(request, pk))


def _edit_template(request, template: SessionTemplate | None):
    steps = template.steps.all() if template else []
    form = TemplateForm(request.POST or None, instance=template)
    formset = StepFormSet(
        request.POST or None,
        prefix="steps",
        initial=[TemplateStepForm.initial_from_step(step) for step in steps],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        template = services.save_template(
            request.user,
            data["name"],
            data["description"],
            formset.steps(),
            template,
            profile=data["profile"],
        )
        messages.success(request, _("Template saved."))
        return redirect("library:detail", pk=template.pk)
    refused = request.method == "POST"
    ctx = {
        "template": template,
        "form": form,
        "formset": formset,
        "refused": refused,
        # For the summary at the top, counted from 1 as the legends say (unbound: none).
        "steps_with_errors": [n for n, step in enumerate(formset.forms, start=1) if step.errors],
    }
    return render(request, "library/template_edit.html", ctx, status=400 if refused else 200)


@login_required
@require_POST
def template_duplicate(request, pk):
    copy = services.duplicate_template(_get_visible_template(request, pk), request.user)
    messages.success(request, _("Template copied: this copy is yours to edit."))
    return redirect("library:edit", pk=copy.pk)


@login_required
def template_delete(request, pk):
    """GET asks for confirmation; POST deletes. Sessions started from it keep their steps."""
    template = _get_own_template(request, pk)
    if request.method == "POST":
        template.delete()
        messages.success(request, _("Template deleted."))
        return redirect("library:list")
    return render(request, "library/template_delete.html", {"template": template})
