// Fully connected CRF (Krähenbühl & Koltun, NIPS 2011) on a permutohedral lattice (Adams, Baek &
// Davis, Eurographics 2010): the addon's entry points, registered from addon.cc.
#pragma once

#include <napi.h>

namespace wildcat {

/** Adds denseCrf (synchronous) and denseCrfAsync (returns a Promise) to the addon's exports. */
void RegisterDenseCrf(Napi::Env env, Napi::Object exports);

}  // namespace wildcat
