from otter.test_files import test_case

OK_FORMAT = False

name = "bits_per_char"
points = 4

@test_case(points=None, hidden=False)
def test_bits_per_char(bits_per_char):
    from rnnlib.grading import grade
    grade('bits_per_char', bits_per_char)

