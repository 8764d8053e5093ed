from otter.test_files import test_case

OK_FORMAT = False

name = "build_model"
points = 4

@test_case(points=None, hidden=False)
def test_build_model(build_model):
    from rnnlib.grading import grade
    grade('build_model', build_model, input_shape=(30, 8), layers=['Bidirectional', 'GRU', 'Dense'], output_shape=(None, 3), params=4235)

