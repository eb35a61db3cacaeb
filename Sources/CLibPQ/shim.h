// libpq, PostgreSQL's own client library (Debian: libpq-dev to build, libpq5 to run).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
