from django.urls import path

from caseplans import views

app_name = "caseplans"

urlpatterns = [
    path("young-person/<int:pk>/", views.young_person_plans, name="young-person"),
    path("young-person/<int:pk>/new/", views.plan_start, name="start"),
    path("young-person/<int:pk>/crisis/", views.crisis_plan, name="crisis"),
    path("young-person/<int:pk>/exit/", views.exit_plan, name="exit"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/approve/", views.plan_approve, name="approve"),
    path("<int:pk>/return/", views.plan_return, name="return"),
    path("<int:pk>/compare/", views.plan_compare, name="compare"),
    path("<int:pk>/review/", views.plan_review, name="review"),
    path("<int:pk>/print/", views.plan_print, name="print"),
    path("<int:pk>/plan.pdf", views.plan_pdf, name="pdf"),
    path("<int:pk>/goals/new/", views.goal_form, name="goal-create"),
    path("<int:pk>/goals/<int:goal_pk>/", views.goal_form, name="goal-edit"),
    path("<int:pk>/goals/<int:goal_pk>/status/", views.goal_status, name="goal-status"),
    path("<int:pk>/goals/<int:goal_pk>/notes/", views.goal_note, name="goal-note"),
    path("<int:pk>/goals/<int:goal_pk>/tasks/new/", views.task_form, name="task-create"),
    path("<int:pk>/tasks/<int:task_pk>/", views.task_row, name="task"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", views.task_form, name="task-edit"),
    path("<int:pk>/tasks/<int:task_pk>/status/", views.task_done, name="task-status"),
    path("<int:pk>/tasks/<int:task_pk>/move/<str:direction>/", views.task_move, name="task-move"),
]
