from django.contrib import admin

from .models import AdPlan, ForecastAssumptions

admin.site.register(AdPlan)
admin.site.register(ForecastAssumptions)
