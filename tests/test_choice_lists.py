"""Radio and checkbox lists are drawn by toolkit's choice_options (through crispy-bootstrap5's
template, overridden in templates/bootstrap5/layout/): the same markup crispy drew, faster."""

from django import forms
from django.template import engines

TEMPLATE = engines["django"].from_string(
    "{% load crispy_forms_tags %}{{ form.items|as_crispy_field }}"
)


class GoalsForm(forms.Form):
    items = forms.MultipleChoiceField(
        label="What it moved forward",
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ('Goal: "<b>School</b>"', [("goal-1", "The goal in general"), ("task-1", "Enrol")]),
            ("Goal: housing", [("goal-2", "The goal in general")]),
        ],
        help_text="Tick what the contact moved forward.",
    )


def test_each_option_is_drawn_in_its_group_with_its_label_and_ticked_as_sent():
    html = TEMPLATE.render({"form": GoalsForm({"items": ["task-1"]})})
    assert html.count('class="form-check"') == 3
    assert "<strong>Goal: &quot;&lt;b&gt;School&lt;/b&gt;&quot;</strong>" in html
    assert (
        '<input type="checkbox" class="form-check-input" name="items" value="task-1" '
        'id="id_items_0_1" checked><label for="id_items_0_1" class="form-check-label">Enrol'
        "</label>"
    ) in html
    assert 'value="goal-1" id="id_items_0_0">' in html  # not ticked
    assert "Tick what the contact moved forward." in html


def test_a_refused_choice_marks_the_list_and_says_why_once_after_the_last_option():
    form = GoalsForm({"items": ["goal-9"]})
    assert not form.is_valid()
    html = TEMPLATE.render({"form": form, "form_show_errors": True})
    assert html.count("form-check-input is-invalid") == 3
    assert html.count("Select a valid choice. goal-9 is not one of the available choices.") == 1
    assert html.index("is not one of the available") > html.index('value="goal-2"')


def test_a_radio_list_is_drawn_alike():
    class Mode(forms.Form):
        items = forms.ChoiceField(
            choices=[("phone", "Phone"), ("visit", "Visit")], widget=forms.RadioSelect
        )

    html = TEMPLATE.render({"form": Mode({"items": "visit"})})
    assert '<input type="radio" class="form-check-input" name="items" value="phone"' in html
    assert 'value="visit" id="id_items_1" required checked>' in html
