/* SPDX-License-Identifier: Apache-2.0 */
/* mav2.h: everything of libmav2's offline core in one include. */
#ifndef MAV2_MAV2_H
#define MAV2_MAV2_H
#include "mav2/core/error.h"
#include "mav2/core/buf.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"
#include "mav2/core/abi.h"
#include "mav2/core/userop.h"
#include "mav2/core/account.h"
#endif
