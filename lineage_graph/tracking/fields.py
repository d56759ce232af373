"""Names of what tracking records: the contract with the questions that read it.

Every step call becomes one ``Execution`` whose *declared* properties are the step's
parameters (its simple-valued arguments; the step's ``ExecutionType`` declares them) and whose
*custom* properties are the system fields below. Readers (``questions.py``: hyperparameters,
library versions, why-failed) use these constants rather than string literals.
"""

from __future__ import annotations

from typing import Final

# ---- context types and their custom properties ------------------------------------------
PIPELINE: Final = "Pipeline"
PIPELINE_RUN: Final = "PipelineRun"  # CHILD_OF its Pipeline
RUN_STATE: Final = "state"  # custom, STRING: RUNNING, COMPLETE, FAILED
RUN_METRICS: Final = "metrics"  # custom, STRUCT {name: value}: run.log_metric outside steps
START_TIME: Final = "start_time"  # custom, INT ms since epoch (runs and executions)
END_TIME: Final = "end_time"  # custom, INT ms since epoch
# custom, STRING "<host>/<pid>/<nonce>" of the process that opened (or last resumed) the run:
# tells a run in progress from one whose process died (it stays RUNNING forever).
OPENED_BY: Final = "opened_by"

# ---- execution custom properties ----------------------------------------------------------
STEP: Final = "step"  # STRING "module:qualname" of the step function
CODE_HASH: Final = "code_hash"  # STRING "sha256:<hex>": function + same-project callees
CODE_FILE: Final = "code_file"  # STRING path of the file defining the step
MODULE_HASH: Final = "module_hash"  # STRING "sha256:<hex>" of that whole file (informative)
GIT_COMMIT: Final = "git_commit"  # STRING; absent when the caller is not in a git work tree
GIT_DIRTY: Final = "git_dirty"  # BOOLEAN; absent with git_commit
GIT_BRANCH: Final = "git_branch"  # STRING; absent on a detached HEAD or without git
PYTHON_VERSION: Final = "python_version"  # STRING, e.g. "3.11.9"
PLATFORM: Final = "platform"  # STRING, platform.platform()
ENVIRONMENT: Final = "environment"  # STRUCT {distribution name: version}, ML libs present
MEMO_KEY: Final = "memo_key"  # STRING "sha256:<hex>" of step + code + inputs + params
MEMOIZABLE: Final = "memoizable"  # BOOLEAN: false when an argument/result could not be keyed
CACHE_OF: Final = "cache_of"  # INT on CACHED executions: id of the COMPLETE original
METRICS: Final = "metrics"  # STRUCT {name: value} logged during the step
RETURN_VALUE: Final = "return_value"  # STRUCT: the encoded result, to replay a cache hit
UNRECORDED_ARGS: Final = "unrecorded_args"  # STRUCT {arg: python type} not storable
ERROR_TYPE: Final = "error_type"  # STRING "module.QualName" of the exception (FAILED)
ERROR_MESSAGE: Final = "error"  # STRING str(exception) (answers.ERROR_KEYS)
ERROR_TRACEBACK: Final = "error_traceback"  # STRING, the last ~20 lines

# Custom properties on executions that are NOT parameters (for readers that diff runs).
SYSTEM_EXECUTION_FIELDS: Final = frozenset(
    {
        STEP, CODE_HASH, CODE_FILE, MODULE_HASH, GIT_COMMIT, GIT_DIRTY, GIT_BRANCH, PYTHON_VERSION,
        PLATFORM, ENVIRONMENT, MEMO_KEY, MEMOIZABLE, CACHE_OF, METRICS, RETURN_VALUE,
        UNRECORDED_ARGS, ERROR_TYPE, ERROR_MESSAGE, ERROR_TRACEBACK, START_TIME, END_TIME,
    }
)

# ---- artifact custom properties ------------------------------------------------------------
FINGERPRINT: Final = "fingerprint"  # STRING "sha256:<hex>" of content (files and directories)
SIZE: Final = "size"  # INT bytes (a directory: sum of its files)
PATH_KIND: Final = "path_kind"  # STRING "file" | "directory"

# ---- artifact types of the bundled handles (tracking.handles) -----------------------------
DATASET: Final = "Dataset"
MODEL: Final = "Model"
METRICS_TYPE: Final = "Metrics"  # custom properties = the metric values
PUSHED_MODEL: Final = "PushedModel"
FILE: Final = "File"

# ---- subscription cursors (tracking.subscriptions) ----------------------------------------
CURSOR_CONTEXT_TYPE: Final = "SubscriptionCursor"  # context whose custom ``seq`` is the cursor
CURSOR_SEQ: Final = "seq"
