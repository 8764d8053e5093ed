from otter.test_files import test_case

OK_FORMAT = False

name = "build_model"
points = 3

@test_case(points=None, hidden=False)
def test_build_model(build_model):
    from rnnlib.grading import grade
    grade('build_model', build_model, input_shape=(20, 3), layers=['GRU', 'Dense'], output_shape=(None, 1), params=3585)

