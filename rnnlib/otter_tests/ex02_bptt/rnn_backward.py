from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_backward"
points = 6

@test_case(points=None, hidden=False)
def test_rnn_backward(rnn_backward):
    from rnnlib.grading import grade
    grade('rnn_backward', rnn_backward)

