from otter.test_files import test_case

OK_FORMAT = False

name = "lstm_step"
points = 5

@test_case(points=None, hidden=False)
def test_lstm_step(lstm_step):
    from rnnlib.grading import grade
    grade('lstm_step', lstm_step)

