#ifndef BOSUN_CNATS_SHIM_H
#define BOSUN_CNATS_SHIM_H
#include <nats/nats.h>
#endif
