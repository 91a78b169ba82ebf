"""Runs on a cluster or a process pool, and sweeps over scenario variants.

A distributed run splits the trajectory range into fixed blocks (their size
depends on ``n`` and the scenario, never on the number of workers), runs each
block as a partial local run (:func:`attrition.engine.run_local` of the run's
options for ``trajectories=range(a, b)``) on an executor, and merges the parts
in block order with :func:`attrition.merge`.
Every trajectory draws from streams keyed by (seed, trajectory index), and
merging is exact, so the result is bit-identical to a local run with the same
scenario, seed and options, whatever the cluster, the number of workers or the
block size.

Executors
---------
``executor`` is one of:

* a ``dask.distributed.Client``: blocks are submitted with ``retries=`` (an
  exception in a block is retried that many times) and a worker that dies
  loses only its blocks, which Dask reschedules on the other workers (up to
  Dask's ``distributed.scheduler.allowed-failures`` deaths per block);
* any ``concurrent.futures.Executor`` (``ProcessPoolExecutor``,
  ``client.get_executor()``, mpi4py's ``MPIPoolExecutor``): a block that
  raises is submitted again up to ``retries`` times. A
  ``ProcessPoolExecutor`` whose worker process dies is broken for good (every
  pending future fails with ``BrokenProcessPool``) and attrition cannot
  restart a pool it did not create: the run raises ``BrokenProcessPool``
  naming the blocks that were lost;
* a function that creates an executor, such as the class
  ``ProcessPoolExecutor`` itself or ``functools.partial(ProcessPoolExecutor,
  8)``: attrition then owns the pool, shuts it down at the end, and after a
  worker death replaces it with a fresh one and runs the lost blocks again
  (each block in flight at the time counts one attempt against ``retries``).

Errors that do not go away on a second try (a bad scenario, a bad argument)
are not retried: they are raised on the client, the same exception with its
type and message kept, and notes naming the block's range and holding the
worker's traceback.

The workers must run the same build of attrition as the client: the block
function compares the version and a digest of the compiled extension, and
refuses to run otherwise, because bit-identity holds within one build on one
platform.

The modules: :mod:`.planning` (the blocks and the memory of a run), :mod:`.worker`
(what runs on a worker), :mod:`.backends` (Dask and pools), :mod:`.scheduler`
(running blocks, retries, assembling the parts), :mod:`.run` (:func:`run_distributed`)
and :mod:`.sweeps` (:func:`sweep`).
"""

from .planning import MAX_BLOCK_BYTES, MAX_BLOCK_TRAJECTORY_DAYS, MIN_BLOCK_TRAJECTORY_DAYS, Plan, plan
from .run import run_distributed
from .sweeps import SweepResult, sweep

__all__ = [
    "MAX_BLOCK_BYTES",
    "MAX_BLOCK_TRAJECTORY_DAYS",
    "MIN_BLOCK_TRAJECTORY_DAYS",
    "Plan",
    "SweepResult",
    "plan",
    "run_distributed",
    "sweep",
]
