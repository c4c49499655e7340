// Package drift holds the offline drift tests of issue 12: two-sample
// Kolmogorov-Smirnov, normed Wasserstein distance, PSI, chi-square,
// Jensen-Shannon distance and the two-proportion z-test, with numbers equal
// to scipy 1.10's for the same data (see testdata/gen.py), and the choice of
// test by column kind and reference size that Evidently makes.
package drift
