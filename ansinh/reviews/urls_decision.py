"""Pages of the review step 'decision' (added to reviews/urls.py): the commune chair's recognition
decision (Mẫu số 02), the certificates (Mẫu số 03) and the written refusal of the regular review."""

from django.urls import path

from . import views_decision as v

urlpatterns = [
    path("campaigns/<int:pk>/decisions/new/", v.DecisionCreateView.as_view(), name="decision_create"),
    path("decisions/<int:pk>/", v.DecisionDetailView.as_view(), name="decision_detail"),
    path("decisions/<int:pk>/draft.docx", v.DecisionDraftView.as_view(), name="decision_draft"),
    path("decisions/<int:pk>/certificates/", v.CertificatesView.as_view(), name="certificate_list"),
    path("cases/<int:pk>/certificate/", v.CertificatePrintView.as_view(), name="certificate_print"),
    path("cases/<int:pk>/refusal.docx", v.RefusalDocxView.as_view(), name="case_refusal"),
]
