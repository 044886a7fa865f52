"""``urbdash``: the command line over the core the app runs (see ``cli.main``).

Every process of the product starts here (a command, ``urbdash serve`` and the Streamlit server
it runs, the results worker), so this is where the process's numerical libraries are told to
use one thread: the models fit many tiny matrices, where OpenBLAS's own threads only spin (a
backtest took 21.6 s of CPU for 11 s of work on two cores, 9.8 s with one thread) and take the
cores the other sessions, the worker and the database need. Set before numpy is imported; a
value already in the environment wins."""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
