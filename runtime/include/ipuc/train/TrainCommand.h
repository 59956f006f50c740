//===- TrainCommand.h - ipu-run's training mode -----------------*- C++ -*-===//
#ifndef IPUC_TRAIN_TRAINCOMMAND_H
#define IPUC_TRAIN_TRAINCOMMAND_H

namespace ipuc::train {

/// True when the command line asks for training (it has --dataset).
bool isTrainingCommand(int argc, char **argv);
/// Parses the training options, runs the loop; the process exit code.
int trainMain(int argc, char **argv);

} // namespace ipuc::train

#endif // IPUC_TRAIN_TRAINCOMMAND_H
