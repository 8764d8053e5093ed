from otter.test_files import test_case

OK_FORMAT = False

name = "model_macs"
points = 5

@test_case(points=None, hidden=False)
def test_model_macs(model_macs):
    from rnnlib.grading import grade
    grade('model_macs', model_macs)

