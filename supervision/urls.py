"""Pages of supervision after filing, namespaced as "supervision"."""

app_name = "supervision"
urlpatterns = []
