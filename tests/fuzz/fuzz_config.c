/* Fuzz target: config.json as a bundle's author (or an engine) hands it to hull.  Everything the parser and
 * validator accept or refuse must come back as a spec or an error, without a crash, leak or undefined
 * behaviour (the target is built with ASan and UBSan). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "linux/cgroup_resources.h"
#include "linux/device_rules.h"
#include "linux/seccomp_filter.h"
#include "oci/spec.h"

/* What create derives from an accepted spec before anything exists: the cgroup plans for every layout,
 * the device rules and the seccomp filter. */
static void derive(const struct oci_spec *spec)
{
	struct hull_error *err = NULL;
	struct cgroup_plan plan;
	struct device_rules rules;
	struct seccomp_filter *filter = NULL;
	json_object *devices = NULL;

	for (int layout = CGROUP_LAYOUT_V1; layout <= CGROUP_LAYOUT_V2; layout++) {
		if (cgroup_resources_plan(spec->linux_.resources, layout, "linux.resources", &plan, &err) ==
		    0)
			cgroup_plan_free(&plan);
		else
			fuzz_check_refusal(&err);
	}
	if (spec->linux_.resources)
		json_object_object_get_ex(spec->linux_.resources, "devices", &devices);
	if (device_rules_build(devices, spec, "linux.resources.devices", &rules, &err) == 0)
		device_rules_free(&rules);
	else
		fuzz_check_refusal(&err);
	if (seccomp_filter_build(spec->linux_.seccomp, NULL, &filter, &err) == 0)
		seccomp_filter_free(filter);
	else
		fuzz_check_refusal(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *spec = NULL;
	struct hull_error *err = NULL;

	if (oci_spec_parse((const char *)data, size, &spec, &err) == 0) {
		/* Walk what the runtime would use first, so that a spec accepted with missing parts shows. */
		if (spec->process && spec->process->n_args)
			(void)spec->process->args[0][0];
		(void)oci_spec_namespace(spec, 0);
		derive(spec);
		oci_spec_free(spec);
	} else {
		fuzz_check_refusal(&err);
	}
	return 0;
}
