/* SPDX-License-Identifier: Apache-2.0 */
#include "mav2/core/userop.h"

#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/core/userop_json.h"

int mav2_userop_to_json_string(const mav2_userop *op, char **out)
{
    json_object *obj = NULL;
    *out = NULL;
    if (!mav2_userop_to_json(op, &obj))
        return 0;
    *out = strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
    json_object_put(obj);
    if (*out == NULL)
        return mav2_error_set("out of memory");
    return 1;
}
