/* SPDX-License-Identifier: Apache-2.0 */
/* mav2.h: everything of libmav2's offline core in one include. */
#ifndef MAV2_MAV2_H
#define MAV2_MAV2_H
#include "mav2/error.h"
#include "mav2/buf.h"
#include "mav2/u256.h"
#include "mav2/address.h"
#include "mav2/abi.h"
#include "mav2/userop.h"
#include "mav2/account.h"
#endif
