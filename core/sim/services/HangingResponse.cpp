#include "core/sim/services/HangingResponse.h"

// Nothing to define: the file gives moc's output for HangingResponse a home.
