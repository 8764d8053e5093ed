from otter.test_files import test_case

OK_FORMAT = False

name = "lstm_step_backward"
points = 6

@test_case(points=None, hidden=False)
def test_lstm_step_backward(lstm_step_backward):
    from rnnlib.grading import grade
    grade('lstm_step_backward', lstm_step_backward)

