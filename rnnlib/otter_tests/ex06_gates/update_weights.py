from otter.test_files import test_case

OK_FORMAT = False

name = "update_weights"
points = 4

@test_case(points=None, hidden=False)
def test_update_weights(update_weights):
    from rnnlib.grading import grade
    grade('update_weights', update_weights)

