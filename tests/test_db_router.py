"""Recommendation reads go to the read replica when there is one; the rest to the primary."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import router
from django.test import override_settings

from catalog.models import Item
from engine.models import CollaborativeModel, ItemNeighbours, RecommendationLog
from profiles.models import Interaction, Profile


def with_replica():
    replica = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    return override_settings(DATABASES={**settings.DATABASES, "replica": replica})


class TestWithAReplica:
    def test_catalog_and_trained_models_are_read_from_the_replica(self):
        with with_replica():
            for model in (Item, CollaborativeModel, ItemNeighbours):
                assert router.db_for_read(model) == "replica", model
            assert Item.objects.filter(is_active=True).db == "replica"

    def test_a_persons_own_rows_are_read_from_the_primary(self):
        # Right after an edit the next list must see it; a lagging replica would not.
        with with_replica():
            for model in (Profile, Interaction, RecommendationLog, get_user_model()):
                assert router.db_for_read(model) == "default", model

    def test_every_write_goes_to_the_primary(self):
        with with_replica():
            for model in (Item, CollaborativeModel, Profile):
                assert router.db_for_write(model) == "default"
            assert Item.objects.all()._db is None  # a write picks its database per call
            assert router.db_for_write(Item) == "default"

    def test_only_the_primary_is_migrated(self):
        with with_replica():
            assert router.allow_migrate("default", "catalog", model_name="item")
            assert not router.allow_migrate("replica", "catalog", model_name="item")


class TestWithoutAReplica:
    def test_everything_is_read_from_the_primary(self):
        assert "replica" not in settings.DATABASES
        assert router.db_for_read(Item) == "default"
        assert router.db_for_read(CollaborativeModel) == "default"

    @pytest.mark.django_db
    def test_catalog_queries_run_on_the_primary(self, sample_catalog):
        assert Item.objects.count() == len(sample_catalog)
        assert Item.objects.all().db == "default"
