from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("cover/", views.cover, name="cover"),
    path("systems/", views.system_list, name="systems"),
    path("systems/new/", views.system_create, name="system-create"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("systems/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("cover/<int:pk>/end/", views.cover_end, name="cover-end"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password-change-done")
        ),
        name="password-change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
]
