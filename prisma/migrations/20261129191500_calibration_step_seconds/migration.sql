-- Calibrations: the fixed part of a training step (measured at two batch sizes), so runs at any batch are predicted.
ALTER TABLE "Measurement" ADD COLUMN "stepSeconds" DOUBLE PRECISION;
