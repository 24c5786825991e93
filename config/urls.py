from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from accounting import views as accounting_screens
from accounting.api.views import (
    BalancesView,
    BankLineViewSet,
    BankStatementViewSet,
    EnvelopeViewSet,
    FecView,
    FunderProgrammeViewSet,
    FunderStatementView,
    FunderViewSet,
    GroceryStatementView,
    InvoiceViewSet,
    PaymentViewSet,
    ProducerStatementView,
    TrialBalanceView,
)
from core.api.views import MeView, OrganisationViewSet, TaskRunView, TokenView
from core.converters import IdConverter
from core.views import api_not_found
from dashboards.api.views import (
    CaissesView,
    DefinitionsView,
    ExportView,
    KpisView,
    TimeseriesView,
)
from dashboards.views import dashboard_page, dashboard_pdf
from home.views import home
from logistics.api.views import (
    CyclePlanRoundsView,
    CycleRoundsView,
    CycleUnservedView,
    HubViewSet,
    RoundSheetView,
    VehicleViewSet,
    ZoneViewSet,
)
from logistics.views import cycle_map
from notifications import views as notification_screens
from notifications.api.views import (
    NotificationViewSet,
    OutboxViewSet,
    PasswordResetView,
    PreferencesView,
    UserCreateView,
    UserInviteView,
)
from orders import views as order_screens
from orders.api.views import (
    GroceryViewSet,
    HouseholdAccessLogViewSet,
    HouseholdViewSet,
    OrderViewSet,
    SocialServiceViewSet,
    StandingOrderViewSet,
    TariffSuggestView,
    TariffTiersView,
)
from producers import views as producer_screens
from producers.api import dfc_views
from producers.api.views import OfferViewSet, ProducerViewSet, ProductViewSet
from ssa import views as ssa_screens
from ssa.api.views import (
    CaisseViewSet,
    ContributionViewSet,
    GrantViewSet,
    MemberViewSet,
    ProposalActionsViewSet,
    ProposalViewSet,
)
from supply import views as cycle_screens
from supply.api.views import (
    ContractViewSet,
    CycleScheduleViewSet,
    OrderCycleViewSet,
    PurchaseListViewSet,
)

register_converter(IdConverter, "id")

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("social-services", SocialServiceViewSet, basename="social-service")
router.register("funders", FunderViewSet, basename="funder")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("bank-statements", BankStatementViewSet, basename="bank-statement")
router.register("bank-lines", BankLineViewSet, basename="bank-line")
router.register("funder-programmes", FunderProgrammeViewSet, basename="funder-programme")
router.register("envelopes", EnvelopeViewSet, basename="envelope")
router.register("producers", ProducerViewSet, basename="producer")
router.register("products", ProductViewSet, basename="product")
router.register("groceries", GroceryViewSet, basename="grocery")
router.register("hubs", HubViewSet, basename="hub")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("zones", ZoneViewSet, basename="zone")
router.register("cycles", OrderCycleViewSet, basename="cycle")
router.register("cycle-schedules", CycleScheduleViewSet, basename="cycle-schedule")
router.register("contracts", ContractViewSet, basename="contract")
router.register("offers", OfferViewSet, basename="offer")
router.register("households", HouseholdViewSet, basename="household")
router.register("household-access-log", HouseholdAccessLogViewSet, basename="household-access-log")
router.register("orders", OrderViewSet, basename="order")
router.register("standing-orders", StandingOrderViewSet, basename="standing-order")
router.register("purchase-lists", PurchaseListViewSet, basename="purchase-list")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("outbox", OutboxViewSet, basename="outbox")
router.register("caisses", CaisseViewSet, basename="caisse")
router.register(
    r"caisses/(?P<caisse_pk>[0-9]{1,9})/members", MemberViewSet, basename="caisse-member"
)
router.register(
    r"caisses/(?P<caisse_pk>[0-9]{1,9})/proposals", ProposalViewSet, basename="caisse-proposal"
)
router.register(
    r"caisses/(?P<caisse_pk>[0-9]{1,9})/contributions",
    ContributionViewSet,
    basename="caisse-contribution",
)
router.register(r"caisses/(?P<caisse_pk>[0-9]{1,9})/grants", GrantViewSet, basename="caisse-grant")
router.register("proposals", ProposalActionsViewSet, basename="proposal")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/password-reset/", PasswordResetView.as_view(), name="auth-password-reset"),
    path("me/", MeView.as_view(), name="me"),
    path("me/preferences/", PreferencesView.as_view(), name="me-preferences"),
    path("users/", UserCreateView.as_view(), name="user-create"),
    path("users/<id:user_id>/invite/", UserInviteView.as_view(), name="user-invite"),
    path("tasks/<uuid:task_id>/", TaskRunView.as_view(), name="task"),
    path("tariff/suggest/", TariffSuggestView.as_view(), name="tariff-suggest"),
    path("tariff/tiers/", TariffTiersView.as_view(), name="tariff-tiers"),
    path("cycles/<id:cycle_id>/routes/", CycleRoundsView.as_view(), name="cycle-routes"),
    path("cycles/<id:cycle_id>/routes/plan/", CyclePlanRoundsView.as_view(), name="cycle-plan"),
    path(
        "cycles/<id:cycle_id>/routes/unserved/",
        CycleUnservedView.as_view(),
        name="cycle-routes-unserved",
    ),
    path("rounds/<id:round_id>/pdf/", RoundSheetView.as_view(), name="round-sheet"),
    path("ledger/trial-balance/", TrialBalanceView.as_view(), name="trial-balance"),
    path("ledger/fec/", FecView.as_view(), name="ledger-fec"),
    path("balances/", BalancesView.as_view(), name="balances"),
    path("dashboards/kpis/", KpisView.as_view(), name="dashboard-kpis"),
    path("dashboards/timeseries/", TimeseriesView.as_view(), name="dashboard-timeseries"),
    path("dashboards/caisses/", CaissesView.as_view(), name="dashboard-caisses"),
    path("dashboards/export/", ExportView.as_view(), name="dashboard-export"),
    path("dashboards/definitions/", DefinitionsView.as_view(), name="dashboard-definitions"),
    path(
        "funders/<id:funder_id>/statement/",
        FunderStatementView.as_view(),
        name="funder-statement",
    ),
    path(
        "producers/<id:producer_id>/statement/",
        ProducerStatementView.as_view(),
        name="producer-statement",
    ),
    path(
        "groceries/<id:grocery_id>/statement/",
        GroceryStatementView.as_view(),
        name="grocery-statement",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    *router.urls,
    # Last: any other path under /api/v1/ is the contract's JSON 404, whatever DEBUG says
    # (with DEBUG on, Django would show its own HTML page instead of handler404).
    re_path(r"^.*/$", api_not_found),
]

admin.site.site_header = "Appro Solidaire — administration"
admin.site.site_title = "Appro Solidaire"
admin.site.index_title = "Coordination de la plateforme"


# The DFC API (DESIGN.md §13): the paths of Open Food Network's, for other platforms.
dfc_api = [
    path(
        "enterprises/<int:enterprise_id>/catalog_items",
        dfc_views.CatalogItemsView.as_view(),
        name="dfc-catalog-items",
    ),
    path(
        "enterprises/<int:enterprise_id>/catalog_items/<int:id>",
        dfc_views.CatalogItemView.as_view(),
        name="dfc-catalog-item",
    ),
    path(
        "enterprises/<int:enterprise_id>/supplied_products",
        dfc_views.SuppliedProductsView.as_view(),
        name="dfc-supplied-products",
    ),
    path(
        "enterprises/<int:enterprise_id>/supplied_products/<int:id>",
        dfc_views.SuppliedProductView.as_view(),
        name="dfc-supplied-product",
    ),
    path(
        "enterprises/<int:enterprise_id>/offers/<int:id>",
        dfc_views.OfferView.as_view(),
        name="dfc-offer",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # Accounts (DESIGN.md §11): a forgotten password, an invitation's link.
    path(
        "mot-de-passe/oublie/",
        notification_screens.PasswordResetView.as_view(),
        name="password-reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        notification_screens.PasswordChooseView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        notification_screens.PasswordChooseView.as_view(invitation=True),
        name="invitation-confirm",
    ),
    path(
        "mot-de-passe/enregistre/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    # What is new for me, and which messages I receive by e-mail
    path("nouveautes/", notification_screens.inbox, name="inbox"),
    path("nouveautes/<id:notification_id>/", notification_screens.inbox_open, name="inbox-open"),
    path(
        "compte/messages/", notification_screens.preferences_page, name="notification-preferences"
    ),
    path("", home, name="home"),
    # Grocery volunteers
    path(
        "epicerie/cycles/<id:cycle_id>/commande/",
        order_screens.grouped_order,
        name="grocery-order",
    ),
    path(
        "epicerie/cycles/<id:cycle_id>/foyers/",
        order_screens.household_orders,
        name="grocery-households",
    ),
    path(
        "epicerie/cycles/<id:cycle_id>/reception/",
        order_screens.reception,
        name="grocery-reception",
    ),
    # Producers
    path("producteur/catalogue/", producer_screens.catalogue, name="producer-catalogue"),
    path(
        "producteur/catalogue/import/<int:import_id>/",
        producer_screens.catalogue_import,
        name="producer-catalogue-import-page",
    ),
    path(
        "producteur/cycles/<id:cycle_id>/offres/",
        producer_screens.cycle_offers,
        name="producer-offers",
    ),
    path("producteur/bons/", producer_screens.purchase_lists, name="producer-purchase-lists"),
    path(
        "producteur/bons/<id:purchase_list_id>/",
        producer_screens.purchase_list,
        name="producer-purchase-list",
    ),
    # CCAS staff
    path("ccas/foyers/", order_screens.household_list, name="ccas-households"),
    path("ccas/foyers/nouveau/", order_screens.household_enrol_page, name="ccas-enrol"),
    path(
        "ccas/foyers/<id:household_id>/",
        order_screens.household_detail,
        name="ccas-household",
    ),
    path("ccas/journal/", order_screens.access_log_page, name="access-log"),
    path("ccas/financement/", order_screens.funding_page, name="ccas-funding"),
    # Coordinator
    path("coordination/cycles/", cycle_screens.cycle_list, name="cycles-page"),
    path("coordination/cycles/<id:cycle_id>/", cycle_screens.cycle_panel, name="cycle-panel"),
    path("coordination/calendrier/", cycle_screens.schedule_page, name="schedules-page"),
    path("coordination/envois/", notification_screens.outbox_page, name="outbox-page"),
    path("coordination/paiements/", accounting_screens.money_page, name="money-page"),
    path("coordination/banque/", accounting_screens.bank_page, name="bank-page"),
    path(
        "coordination/banque/lignes/<int:line_id>/",
        accounting_screens.bank_line_settle,
        name="bank-line-settle",
    ),
    path("coordination/personnes/", notification_screens.people_page, name="people-page"),
    path("coordination/structures/", order_screens.places_page, name="places-page"),
    path("coordination/caisses/", ssa_screens.caisses_page, name="caisses-page"),
    path("ccas/caisses/", ssa_screens.ccas_caisses_page, name="ccas-caisses"),
    path("coordination/caisses/<int:caisse_id>/", ssa_screens.caisse_page, name="caisse-page"),
    path(
        "caisses/<int:caisse_id>/conventionnes/",
        ssa_screens.conventionnes_page,
        name="caisse-conventionnes",
    ),
    path(
        "coordination/structures/import/<int:import_id>/",
        order_screens.places_import_page,
        name="places-import",
    ),
    # Season contracts: made by the coordinator, signed by the producer, followed by both
    # and by the groceries they deliver.
    path("contrats/", cycle_screens.contract_page, name="contracts-page"),
    path("contrats/<id:contract_id>/", cycle_screens.contract_detail, name="contract-sheet"),
    # Producers, groceries and CCAS: their invoices and balance.
    path("factures/", accounting_screens.invoices_page, name="invoices-page"),
    # Officials
    path("tableau-de-bord/", dashboard_page, name="dashboard"),
    path("tableau-de-bord/pdf/", dashboard_pdf, name="dashboard-pdf"),
    path("carte/cycles/<id:cycle_id>/", cycle_map, name="cycle-map"),
    path("api/v1/", include(api_v1)),
    path("api/dfc/", include(dfc_api)),
    # Browsers ask for /favicon.ico whatever the page says (the static URL is read per request:
    # the production storage knows it only once collectstatic ran).
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
]

# 503 when the database is unreachable, 500 otherwise; JSON under /api/ (core.views).
handler500 = "core.views.server_error"
# JSON under /api/ (the contract's body), a French page in the site's frame elsewhere.
handler404 = "core.views.not_found"
handler403 = "core.views.forbidden"
handler400 = "core.views.bad_request"
