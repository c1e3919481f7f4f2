from tests.factories import ActionFactory, ProgressUpdateFactory


def test_an_action_with_an_update_can_be_built(db):
    update = ProgressUpdateFactory(action=ActionFactory())
    assert update.action.original_due_date == update.action.due_date
