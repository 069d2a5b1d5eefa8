#include "core/net/TcpListener.h"

#include <unistd.h>

namespace meridian::net {

void TcpListener::incomingConnection(qintptr descriptor)
{
    if (onDescriptor)
        onDescriptor(descriptor);
    else
        ::close(static_cast<int>(descriptor));
}

} // namespace meridian::net
